// The one workflow bundle of a test run: the product's workflows plus the harness's own fixture.
export * from '../../src/workflows';
export * from './fixture-workflow';
