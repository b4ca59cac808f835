// The platform API's data (CONTRACT section 4), shared by the client, the server, deploy and the
// exit-criteria rules.
import type { State } from './model.ts';

export interface PlatformFlag {
  key: string;
  description: string;
  owner: string;
  state: State;
  depends_on: string[];
  /** ISO time the flag entered its current state on the platform. */
  state_changed_at: string;
  opt_in_count: number;
  /** Orgs staff enabled for this flag (alpha_orgs), sorted. */
  orgs_enabled: string[];
  error_count_24h: number;
}

export interface AuditEntry {
  id: number | string;
  at: string;
  action: string;
  flag: string | null;
  org: string | null;
  old_state: State | null;
  new_state: State | null;
  actor: string;
}

export interface StateChangeResult {
  key: string;
  state: State;
  previous_state: State;
  changed: boolean;
}

export interface FlagMetadata {
  description: string;
  owner: string;
  depends_on: string[];
}

/** Answer of a staff enable/disable or a customer opt-in/opt-out; `changed` false on a repeat. */
export interface OrgToggleResult {
  key: string;
  org: string;
  enabled: boolean;
  changed: boolean;
}

export interface ArchiveResult {
  key: string;
  archived: true;
}

/** Answer of the error-report extension (`POST .../feature-flags/{flag}/errors`). */
export interface ErrorReportResult {
  key: string;
  error_count_24h: number;
}

/** Options every write accepts: who acts (X-Actor) and a caller-chosen Idempotency-Key. */
export interface WriteOptions {
  actor?: string;
  idempotencyKey?: string;
}

/** The platform API as the rest of the code sees it. The HTTP client implements it. */
export interface PlatformApi {
  listFlags(): Promise<PlatformFlag[]>;
  getFlag(key: string): Promise<PlatformFlag | null>;
  putFlag(
    key: string,
    meta: FlagMetadata,
    opts?: WriteOptions,
  ): Promise<{ created: boolean; flag: PlatformFlag }>;
  setState(key: string, state: State, opts?: WriteOptions): Promise<StateChangeResult>;
  archiveFlag(key: string, opts?: WriteOptions): Promise<void>;
  /** The HTTP client resolves with the platform's answer; other implementations may not. */
  setOrgEnabled(
    org: string,
    key: string,
    enabled: boolean,
    opts?: WriteOptions,
  ): Promise<OrgToggleResult | void>;
  setOptIn(
    org: string,
    key: string,
    enabled: boolean,
    opts?: WriteOptions,
  ): Promise<OrgToggleResult | void>;
  orgFlags(org: string): Promise<string[]>;
  auditLog(query?: { flag?: string; since?: string }): Promise<AuditEntry[]>;
  orgAuditLog(org: string): Promise<AuditEntry[]>;
}

/** An error answer of the platform: `{"error": {"code", "message"}}` with its HTTP status. */
export class PlatformError extends Error {
  override name = 'PlatformError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
