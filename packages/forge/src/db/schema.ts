// Table types for the query builder; they mirror migrations/*.sql.
import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<Record<string, unknown>, string | undefined, string>;

export interface AccountsTable {
  id: string;
  kind: "user" | "org";
  handle: string;
  display_name: Generated<string>;
  bio: Generated<string>;
  email: string | null;
  password_hash: string | null;
  is_admin: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
  suspended_at: Generated<Date | null>;
  suspended_reason: Generated<string>;
  email_verified_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Signed up verification-first: no password sign-in until the address is verified. */
  signup_pending: Generated<boolean>;
  website: Generated<string>;
  links: ColumnType<Record<string, unknown>, string | undefined, string>;
  avatar: Generated<string | null>;
  /** NULL: the instance default (MICELIO_PROJECT_LIMIT); set by administrators (limits/). */
  project_limit: Generated<number | null>;
}

export interface OrgMembersTable {
  org_id: string;
  user_id: string;
  role: "owner" | "member";
  created_at: Timestamp;
}

export interface WebSessionsTable {
  id: string;
  user_id: string;
  csrf_token: string;
  user_agent: Generated<string>;
  ip: Generated<string>;
  created_at: Timestamp;
  last_used_at: Timestamp;
  expires_at: Timestamp;
  auth_method: Generated<string>;
  last_ip: Generated<string>;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  scopes: string[];
  expires_at: Date | null;
  last_used_at: Date | null;
  created_at: Timestamp;
  /** Used by an agent: its requests count against the agent rate-limit tier. */
  agent: Generated<boolean>;
  /** The projects (ids) the token is limited to; null: every project (migration 0041). */
  project_ids: string[] | null;
  /** An organization's token: made by one of its owners, for the org's projects only. */
  org_id: string | null;
}

export interface ProjectsTable {
  id: string;
  owner_id: string;
  handle: string;
  name: string;
  description: Generated<string>;
  visibility: "public" | "private";
  head_position: Generated<number>;
  trunk_push: Generated<"allowed" | "sessions_only">;
  land_role: Generated<"write" | "admin">;
  require_review: Generated<boolean>;
  agent_landing: Generated<"land" | "review">;
  max_generation_depth: Generated<number | null>;
  agents_paused_at: Generated<Date | null>;
  agents_paused_reason: Generated<string | null>;
  agents_paused_by: Generated<string | null>;
  circuit_max_failures: Generated<number | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  parent_id: Generated<string | null>;
  stars_count: Generated<number>;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor_id: string | null;
  actor: Generated<string>;
  action: string;
  target_type: string;
  target_id: string;
  target: Generated<string>;
  project_id: string | null;
  ip: Generated<string>;
  data: Json;
  created_at: Timestamp;
}

export type JobState = "available" | "running" | "completed" | "dead";

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  payload: Json;
  state: Generated<JobState>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  run_at: Timestamp;
  unique_key: string | null;
  locked_by: string | null;
  locked_at: Date | null;
  last_error: string | null;
  created_at: Timestamp;
  finished_at: Date | null;
}

export interface SessionsTable {
  id: string;
  project_id: string;
  author_id: string | null;
  author_handle: string;
  agent_name: string | null;
  agent_model: string | null;
  agent_version: string | null;
  goal: string;
  origin: Generated<"human" | "ai-assisted" | "ai-generated">;
  base_position: number;
  base_commit: string | null;
  status: Generated<"open" | "landed" | "abandoned" | "rejected">;
  status_reason: Generated<string | null>;
  landed_position: Generated<number | null>;
  landed_commit: Generated<string | null>;
  touched_paths: Generated<number>;
  lines_added: Generated<number>;
  lines_removed: Generated<number>;
  tokens_input: ColumnType<number, number | undefined, any>;
  tokens_output: ColumnType<number, number | undefined, any>;
  created_at: Timestamp;
  updated_at: Timestamp;
  landed_at: Generated<Date | null>;
  approved_by: Generated<string | null>;
  approved_at: Generated<Date | null>;
  source: Generated<string | null>;
  source_session_id: Generated<string | null>;
  prompt: Generated<string | null>;
  system_prompt: Generated<string | null>;
  environment: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  cost_usd: Generated<number | null>;
  execution_ms: ColumnType<number | null, number | null | undefined, number | null>;
  revises_id: Generated<string | null>;
  template_id: Generated<string | null>;
  generation_depth: Generated<number>;
  ready_at: Generated<Date | null>;
  /** MinHash of the added lines when submitted to land (trust/near-duplicates.ts). */
  diff_minhash: ColumnType<number[] | null, string | null | undefined, string | null>;
  /** The session this one's change repeats, when its land was refused as a near-duplicate. */
  duplicate_of: Generated<string | null>;
  /** Why the prompt looks AI-generated (trust/ai-prompt.ts); null when it does not. */
  prompt_ai_reason: Generated<string | null>;
  /** When the agent produced the content, as it says (sessions/attestation; 0032). */
  generated_at: Generated<Date | null>;
  /** When the session was last submitted to land (the forge's clock). */
  submitted_at: Generated<Date | null>;
  /** The author's signature over the session's content: {key, digest, signature, signed_at}. */
  content_signature: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

/** A project's noise thresholds and the breaker's last trip (trust/noise.ts; 0034). */
export interface ProjectNoiseThresholdsTable {
  project_id: string;
  rejections_per_day: number | null;
  duplicates_per_hour: number | null;
  sessions_per_hour: number | null;
  cascade_percent: number | null;
  last_trip: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  updated_at: Generated<Date>;
  updated_by: string | null;
}

/** An agent's attempt refused by the agent policy, counted by the noise breaker (trust/noise.ts). */
export interface AgentRefusalsTable {
  id: Generated<number>;
  project_id: string;
  rule: string;
  author_id: string | null;
  agent_name: string;
  created_at: Generated<Date>;
}

/** When each kind of alert last went to a project's maintainers (trust/maintainer-alerts.ts). */
export interface MaintainerAlertsTable {
  project_id: string;
  kind: string;
  sent_at: Generated<Date>;
}

/** Ed25519 public keys a person or agent signs session content with (0032_contribution_attestation.sql). */
export interface SigningKeysTable {
  id: string;
  account_id: string;
  name: string;
  /** base64 of the SubjectPublicKeyInfo DER. */
  public_key: string;
  created_at: Generated<Date>;
  revoked_at: Generated<Date | null>;
}

/** A project's trust policy for agents (trust/agent-policy.ts; migrations/0031_agent_policy.sql). */
export interface ProjectAgentPoliciesTable {
  project_id: string;
  strictness: Generated<"off" | "lenient" | "standard" | "strict">;
  overrides: ColumnType<Record<string, unknown>, string | undefined, string>;
  updated_at: Generated<Date>;
  updated_by: string | null;
}

/** A project's maintainer attention budget (trust/review-budget.ts; migrations/0033_review_budget.sql). */
export interface ProjectReviewBudgetsTable {
  project_id: string;
  minutes_per_week: number | null;
  base_minutes: Generated<number>;
  lines_per_minute: Generated<number>;
  over_capacity: Generated<boolean>;
  over_capacity_since: Date | null;
  updated_at: Generated<Date>;
  updated_by: string | null;
}

/** A trusted member's vouch for an agent in a project (trust/vouches.ts). */
export interface AgentVouchesTable {
  project_id: string;
  account_id: string;
  agent_name: string;
  tier: "small" | "large" | "auto";
  vouched_by: string;
  note: string | null;
  created_at: Generated<Date>;
}

export interface SessionEventsTable {
  session_id: string;
  seq: number;
  kind: string;
  data: Json;
  created_at: Timestamp;
}

/** Review comments on a session (reviews/; migrations/0028_session_comments.sql). */
export interface SessionCommentsTable {
  id: string;
  session_id: string;
  project_id: string;
  author_id: string | null;
  author_handle: string;
  kind: "comment" | "prompt-suggestion" | "change-request";
  body: string;
  path: string | null;
  line: number | null;
  suggested_prompt: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type SessionComment = Selectable<SessionCommentsTable>;

export interface LandingsTable {
  project_id: string;
  position: number;
  session_id: string | null;
  commit_sha: string;
  parent_sha: string | null;
  paths_count: number;
  filter: Uint8Array;
  created_at: Timestamp;
}

export interface LandingPathsTable {
  project_id: string;
  position: number;
  path: string;
}

export interface LandingRollupsTable {
  project_id: string;
  level: number;
  start: number;
  data: Uint8Array;
  complete: Generated<boolean>;
}

export interface ProjectEventsTable {
  id: Generated<number>;
  project_id: string;
  type: string;
  data: Json;
  created_at: Timestamp;
}

export interface ProjectSearchTable {
  project_id: string;
  readme_path: string | null;
  readme_commit: string | null;
  readme_text: Generated<string>;
  document: string;
  updated_at: Timestamp;
}

export interface StarsTable {
  user_id: string;
  project_id: string;
  created_at: Timestamp;
}

export interface HandleReservationsTable {
  handle: string;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface Database {
  project_search: ProjectSearchTable;
  stars: StarsTable;
  project_events: ProjectEventsTable;
  sessions: SessionsTable;
  signing_keys: SigningKeysTable;
  project_agent_policies: ProjectAgentPoliciesTable;
  agent_vouches: AgentVouchesTable;
  project_review_budgets: ProjectReviewBudgetsTable;
  project_noise_thresholds: ProjectNoiseThresholdsTable;
  agent_refusals: AgentRefusalsTable;
  maintainer_alerts: MaintainerAlertsTable;
  session_events: SessionEventsTable;
  session_comments: SessionCommentsTable;
  landings: LandingsTable;
  landing_paths: LandingPathsTable;
  landing_rollups: LandingRollupsTable;
  accounts: AccountsTable;
  org_members: OrgMembersTable;
  web_sessions: WebSessionsTable;
  api_tokens: ApiTokensTable;
  projects: ProjectsTable;
  audit_log: AuditLogTable;
  jobs: JobsTable;
  device_authorizations: DeviceAuthorizationsTable;
  user_totp: UserTotpTable;
  recovery_codes: RecoveryCodesTable;
  login_challenges: LoginChallengesTable;
  instance_settings: InstanceSettingsTable;
  invites: InvitesTable;
  email_tokens: EmailTokensTable;
  passkeys: PasskeysTable;
  passkey_challenges: PasskeyChallengesTable;
  follows: FollowsTable;
  user_identities: UserIdentitiesTable;
  oauth_flows: OAuthFlowsTable;
  oauth_signups: OAuthSignupsTable;
  review_queue: ReviewQueueTable;
  change_summaries: ChangeSummariesTable;
  handle_reservations: HandleReservationsTable;
  validation_runs: ValidationRunsTable;
  validation_steps: ValidationStepsTable;
  prompt_templates: PromptTemplatesTable;
  advisories: AdvisoriesTable;
  advisory_affected: AdvisoryAffectedTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_cursor: WebhookCursorTable;
  error_groups: ErrorGroupsTable;
  storage_configs: StorageConfigsTable;
  watches: WatchesTable;
  notifications: NotificationsTable;
  notification_settings: NotificationSettingsTable;
  notification_cursor: WebhookCursorTable;
  federation_keys: FederationKeysTable;
  federation_followers: FederationFollowersTable;
  federation_following: FederationFollowingTable;
  federation_inbox: FederationInboxTable;
  federation_cursor: WebhookCursorTable;
  federation_replies: FederationRepliesTable;
}

/** ActivityPub (federation/; migrations/0039_federation.sql). */
export interface FederationKeysTable {
  owner_id: string;
  public_jwk: string;
  private_jwk: string;
  created_at: Generated<Date>;
}
export interface FederationFollowersTable {
  local_id: string;
  actor_uri: string;
  inbox_url: string;
  follow_id: string | null;
  created_at: Generated<Date>;
}
export interface FederationFollowingTable {
  user_id: string;
  actor_uri: string;
  handle: string;
  inbox_url: string;
  follow_id: string;
  state: Generated<"pending" | "accepted">;
  created_at: Generated<Date>;
}
export interface FederationInboxTable {
  id: Generated<number>;
  user_id: string;
  actor_uri: string;
  activity_id: string;
  content: string;
  url: string | null;
  created_at: Generated<Date>;
}

/** Remote replies awaiting or past moderation (federation/replies.ts; migrations/0040). */
export interface FederationRepliesTable {
  id: Generated<number>;
  project_id: string;
  session_id: string;
  note_id: string;
  actor_uri: string;
  author: string;
  url: string | null;
  content: string;
  state: Generated<"pending" | "approved" | "rejected">;
  moderated_by: string | null;
  moderated_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type Account = Selectable<AccountsTable>;
export type Project = Selectable<ProjectsTable>;
export type ApiToken = Selectable<ApiTokensTable>;
export type Job = Selectable<JobsTable>;
export type NewAuditEntry = Insertable<AuditLogTable>;

export interface DeviceAuthorizationsTable {
  id: string;
  device_code_hash: string;
  user_code: string;
  client_name: string;
  scopes: string[];
  granted_scopes: string[] | null;
  status: Generated<"pending" | "approved" | "denied" | "used">;
  user_id: string | null;
  interval_seconds: Generated<number>;
  expires_at: Timestamp;
  last_polled_at: Date | null;
  decided_at: Date | null;
  created_at: Timestamp;
}
export type DeviceAuthorization = Selectable<DeviceAuthorizationsTable>;
export interface UserTotpTable {
  user_id: string;
  secret: string;
  enabled_at: Date | null;
  last_step: ColumnType<number | string | null, number | null | undefined, number | null>;
  created_at: Timestamp;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  used_at: Date | null;
  created_at: Timestamp;
}

export interface LoginChallengesTable {
  id: string;
  user_id: string;
  next: Generated<string>;
  ip: Generated<string>;
  user_agent: Generated<string>;
  attempts: Generated<number>;
  expires_at: Timestamp;
  created_at: Timestamp;
  first_factor: Generated<string>;
}

export interface InstanceSettingsTable {
  key: string;
  value: string;
  updated_at: Timestamp;
}

export interface InvitesTable {
  id: string;
  token_hash: string;
  created_by: string | null;
  note: Generated<string>;
  expires_at: Timestamp;
  used_at: Date | null;
  used_by: string | null;
  created_at: Timestamp;
}

export interface EmailTokensTable {
  id: string;
  user_id: string;
  purpose: "verify_email" | "reset_password";
  email: string;
  expires_at: Timestamp;
  used_at: Date | null;
  created_at: Timestamp;
}

export interface PasskeysTable {
  id: string;
  user_id: string;
  name: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: ColumnType<number | string, number | undefined, number>;
  transports: Generated<string[]>;
  user_handle: string;
  device_type: Generated<string>;
  backed_up: Generated<boolean>;
  created_at: Timestamp;
  last_used_at: Date | null;
}
export type Passkey = Selectable<PasskeysTable>;

export interface PasskeyChallengesTable {
  id: string;
  purpose: "register" | "sign_in" | "second_step";
  user_id: string | null;
  challenge: string;
  name: Generated<string>;
  user_handle: Generated<string>;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface UserIdentitiesTable {
  id: string;
  user_id: string;
  provider: string;
  provider_user_id: string;
  issuer: string;
  login: Generated<string>;
  email: string | null;
  created_at: Timestamp;
  last_used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}
export type UserIdentity = Selectable<UserIdentitiesTable>;

export interface OAuthFlowsTable {
  id: string;
  provider: string;
  state: string;
  code_verifier: string;
  nonce: string;
  next: Generated<string>;
  invite: string | null;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface ChangeSummariesTable {
  project_id: string;
  base_sha: string;
  head_sha: string;
  summary: string | null;
  model: string | null;
  failures: Generated<number>;
  updated_at: Generated<Timestamp>;
}

export interface FollowsTable {
  follower_id: string;
  followee_id: string;
  created_at: Timestamp;
}

export interface OAuthSignupsTable {
  id: string;
  provider: string;
  provider_user_id: string;
  issuer: string;
  login: Generated<string>;
  name: Generated<string>;
  email: string | null;
  email_verified: Generated<boolean>;
  next: Generated<string>;
  invite: string | null;
  expires_at: Timestamp;
  created_at: Timestamp;
}

/** Accounts flagged by abuse signals, for administrators to review (abuse/). */
export interface ReviewQueueTable {
  id: string;
  account_id: string;
  signal: string;
  explanation: string;
  data: Json;
  state: Generated<"open" | "dismissed" | "suspended">;
  created_at: Timestamp;
  resolved_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  resolved_by: string | null;
}

export interface ValidationRunsTable {
  id: string;
  project_id: string;
  session_id: string;
  session_commit: string;
  trunk_commit: string | null;
  trunk_position: number;
  config_blob: string;
  trigger: "changes" | "land";
  iteration: number;
  status: Generated<"running" | "passed" | "failed" | "error">;
  provider: string;
  aggregate_score: number | null;
  category_scores: ColumnType<Record<string, number>, string | undefined, string>;
  min_score: Generated<number>;
  shortfalls: ColumnType<unknown[], string | undefined, string>;
  error: string | null;
  created_at: Generated<Date>;
  finished_at: Date | null;
}

export interface ValidationStepsTable {
  run_id: string;
  seq: number;
  name: string;
  category: string;
  weight: number;
  status: "passed" | "failed" | "skipped" | "error";
  exit_code: number | null;
  killed: string | null;
  duration_ms: number;
  cpu_ms: number | null;
  peak_memory: ColumnType<string | null, number | null, number | null>;
  log_key: string | null;
  log_excerpt: string;
  /** `::metric name=value` lines the step printed (migration 0024). */
  metrics: ColumnType<Record<string, number>, string | undefined, string>;
  /** The baseline comparison of a performance step, when it declares one. */
  baseline: ColumnType<BaselineComparison | null, string | null | undefined, string | null>;
  coverage: number | null;
  coverage_delta: number | null;
}

export interface BaselineComparison {
  metric: string;
  direction: "higher" | "lower";
  tolerance: number;
  value: number | null;
  baseline: number | null;
  /** Percent change from the baseline (positive: the value grew); null without one. */
  change: number | null;
  regressed: boolean;
}

export interface AdvisoriesTable {
  id: string;
  summary: Generated<string>;
  severity: string | null;
  aliases: ColumnType<string[], string | undefined, string>;
  modified: string | null;
  imported_at: Generated<Date>;
}

export interface AdvisoryAffectedTable {
  advisory_id: string;
  seq: number;
  ecosystem: string;
  name: string;
  ranges: ColumnType<unknown[], string, string>;
  versions: ColumnType<string[], string, string>;
}

export type PromptTemplateKind = "bug-fix" | "feature" | "refactor" | "docs" | "test" | "other";

export interface PromptTemplatesTable {
  project_id: string;
  id: string;
  kind: PromptTemplateKind;
  title: string;
  body: string;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A project's or an organization's webhook (webhooks/; migrations/0036_webhooks.sql). */
export interface WebhooksTable {
  id: string;
  project_id: string | null;
  org_id: string | null;
  url: string;
  /** Sealed by the instance's secret box (crypto/secret-box.ts). */
  secret: string;
  events: string[];
  format: Generated<"json" | "slack" | "discord">;
  active: Generated<boolean>;
  failures_in_row: Generated<number>;
  disabled_reason: Generated<string | null>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface WebhookDeliveriesTable {
  id: string;
  hook_id: string;
  event_id: ColumnType<number | null, number | null | undefined, number | null>;
  event: string;
  payload: Json;
  redelivery_of: string | null;
  state: Generated<"pending" | "delivered" | "failed">;
  attempts: Generated<number>;
  status: Generated<number | null>;
  response_excerpt: Generated<string | null>;
  error: Generated<string | null>;
  duration_ms: Generated<number | null>;
  created_at: Generated<Date>;
  finished_at: Generated<Date | null>;
}

export interface WebhookCursorTable {
  id: number;
  event_id: ColumnType<number, number, number>;
  /** Ids passed but not yet visible then (sessions/event-cursor.ts; migrations/0044). */
  gaps: ColumnType<(number | string)[], number[] | undefined, number[]>;
}

/** One kind of error the forge met (error-tracking/; migrations/0037_error_groups.sql). */
export interface ErrorGroupsTable {
  id: string;
  kind: "request" | "job" | "log" | "agent";
  severity: "error" | "fatal";
  name: string;
  message: string;
  stack: string | null;
  context: Json;
  count: Generated<number>;
  first_seen: Generated<Date>;
  last_seen: Generated<Date>;
  status: Generated<"open" | "resolved" | "muted">;
  resolved_at: Generated<Date | null>;
  window_start: Generated<Date>;
  window_count: Generated<number>;
  notified_at: Generated<Date | null>;
}

/** What a person watches (notifications/; migrations/0038_notifications.sql). */
export interface WatchesTable {
  user_id: string;
  project_id: string;
  level: "all" | "sessions" | "releases" | "ignore";
  created_at: Generated<Date>;
}

export interface NotificationsTable {
  id: Generated<number>;
  user_id: string;
  /** Null for a followed remote actor's note (kind federation.note; migrations/0045). */
  project_id: string | null;
  event_id: number | null;
  kind: string;
  reason: string;
  title: string;
  url: string;
  actor: string | null;
  read_at: Generated<Date | null>;
  emailed_at: Generated<Date | null>;
  created_at: Generated<Date>;
}

export interface NotificationSettingsTable {
  user_id: string;
  email: Generated<"instant" | "daily" | "off">;
  muted_kinds: Generated<string[]>;
  unsubscribe: string;
  updated_at: Generated<Date>;
}

/** Per-account artifact storage (storage/; migrations/0042_storage_configs.sql). */
export interface StorageConfigsTable {
  id: string;
  account_id: string;
  provider: string;
  bucket: string;
  region: string;
  endpoint: string | null;
  path_prefix: Generated<string>;
  /** Sealed by the instance's secret box. */
  access_key_id: string;
  /** Sealed by the instance's secret box; never logged, never answered. */
  secret_access_key: string;
  validated_at: Date | null;
  last_error: string | null;
  failing_since: Date | null;
  failures_in_row: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
