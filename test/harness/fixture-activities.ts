import type { FixtureActivities } from './fixture-workflow';

export const fixtureActivities: FixtureActivities = {
  async greet(name) {
    return `hello ${name}`;
  },
};
