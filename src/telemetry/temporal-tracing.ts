/**
 * The Temporal SDK's OpenTelemetry interceptors (@temporalio/interceptors-opentelemetry), wired
 * only when tracing is on: client spans (StartWorkflow, SignalWorkflow, QueryWorkflow…)
 * carry the context in Temporal headers, the workflow's spans (RunWorkflow, HandleQuery,
 * HandleSignal, StartActivity) leave the workflow sandbox through the `exporter` sink, and
 * activities run inside RunActivity spans.
 *
 * The workflow half has to be inside the workflow bundle (tools/workflow-bundle.ts builds a
 * traced bundle with `WORKFLOW_TRACING_INTERCEPTORS`); the SDK's OpenTelemetryPlugin would add
 * it to a bundle the worker builds itself, which ours never does.
 */
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { WorkerOptions } from '@temporalio/worker';
import type { Tracing } from './tracing';

export const WORKFLOW_TRACING_INTERCEPTORS = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** For `new Client({ interceptors: { workflow: … } })`: none without tracing. */
export function clientTracingInterceptors(tracing: Tracing | undefined): WorkflowClientInterceptor[] {
  return tracing ? [new OpenTelemetryWorkflowClientInterceptor()] : [];
}

/** The worker's activity interceptors and the workflow span sink. */
export function workerTracingOptions(tracing: Tracing): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
