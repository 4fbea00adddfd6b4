/**
 * A stopwatch for one request's stages: each `lap(stage)` reports the time since the previous lap
 * (or since the start) as that stage's, in seconds, so consecutive stages add up to the whole.
 */
export type Lap<S extends string> = (stage: S) => void;

export function startLaps<S extends string>(observe: (stage: S, seconds: number) => void, now: () => number = () => performance.now()): Lap<S> {
  let last = now();
  return (stage) => {
    const at = now();
    observe(stage, (at - last) / 1000);
    last = at;
  };
}
