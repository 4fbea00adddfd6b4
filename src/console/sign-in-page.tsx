import { Notice, Page } from './layout';

/** The console's front door: an operator key in, a session cookie out (router.tsx). */
export function SignInPage({ nonce, error, notice }: { nonce: string; error?: string; notice?: string }) {
  return (
    <Page nonce={nonce} title="Sign in">
      <section aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in</h1>
        <p>For support and finance staff: sign in with an operator key (OPERATOR_API_KEYS). Merchant API keys cannot sign in.</p>
        <Notice notice={notice} error={error} />
        <form method="post" action="/console/sign-in">
          <div className="field">
            <label htmlFor="operator-key">Operator key</label>
            <input id="operator-key" name="key" type="password" autoComplete="off" required maxLength={512} autoFocus data-testid="operator-key" />
          </div>
          <button type="submit">Sign in</button>
        </form>
      </section>
    </Page>
  );
}
