// Facts from outside systems, as the rules see them: either the data, or why there is none.
import type { PlatformFlag } from './platform-model.ts';

export type Facts<T> =
  | { status: 'ok'; data: T }
  | { status: 'unconfigured'; reason: string }
  | { status: 'unavailable'; reason: string };

export type PlatformFacts = Facts<ReadonlyMap<string, PlatformFlag>>;

export interface Incident {
  number: number;
  title: string;
  url: string;
}

/** Open incidents tagged to each flag (GitHub issues labelled `incident` and `flag:<key>`). */
export type IncidentFacts = Facts<ReadonlyMap<string, Incident[]>>;
