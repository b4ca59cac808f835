// The real thing for tests: flagd's own evaluator (@openfeature/flagd-core, what the flagd
// provider runs in process) behind the OpenFeature server SDK, loaded from an exported file.
import { FlagdCore, MemoryStorage } from '@openfeature/flagd-core';
import {
  OpenFeature,
  type Client,
  type EvaluationContext,
  type JsonValue,
  type Logger,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/server-sdk';

const quiet: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** An in-process flagd provider over one flag-definition document. */
class InProcessFlagd implements Provider {
  readonly metadata = { name: 'flagd-core in process' } as const;
  readonly runsOn = 'server';
  constructor(private readonly core: FlagdCore) {}

  resolveBooleanEvaluation(
    key: string,
    fallback: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.core.resolveBooleanEvaluation(key, fallback, context, quiet));
  }
  resolveStringEvaluation(
    key: string,
    fallback: string,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.core.resolveStringEvaluation(key, fallback, context, quiet));
  }
  resolveNumberEvaluation(
    key: string,
    fallback: number,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.core.resolveNumberEvaluation(key, fallback, context, quiet));
  }
  resolveObjectEvaluation<T extends JsonValue>(
    key: string,
    fallback: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.core.resolveObjectEvaluation(key, fallback, context, quiet));
  }
}

/** Throws flagd's ParseError when the document fails the flagd flag and targeting schemas. */
export function validateFlagd(definitions: string): string[] {
  return new MemoryStorage(quiet).setConfigurations(definitions, true);
}

/** An OpenFeature client (its own domain) that evaluates `definitions` with flagd's evaluator. */
export async function flagdClient(definitions: string, domain: string): Promise<Client> {
  validateFlagd(definitions);
  const core = new FlagdCore(undefined, quiet);
  core.setConfigurations(definitions);
  await OpenFeature.setProviderAndWait(domain, new InProcessFlagd(core));
  return OpenFeature.getClient(domain);
}
