export interface PublishRequest {
  id: number;
  state: 'pending' | 'publishing' | 'completed' | 'error' | 'cancelled';
  publish_strategy: 'together' | 'individual';
  error_strategy: 'abort' | 'ignore';
  publish_at: string | null;
  error: string | null;
  job_id: number | null;
  created_by: number;
  created_at: string;
  completed_at: string | null;
}

export type NewPublishRequest = Omit<PublishRequest, 'id'>;
export type PublishRequestPatch = Partial<Omit<PublishRequest, 'id'>>;

/** Which kind of version a publish item is: a layer's (or table's) or a set's. */
export type PublishItemKind = 'version' | 'set-version';

export interface PublishItemRef {
  kind: PublishItemKind;
  id: number;
}

/** One version of a publish request, with what publishing it needs to know. */
export interface PublishItem {
  publish_id: number;
  kind: PublishItemKind;
  version_id: number;
  state: string;
  item_type: 'layer' | 'table' | 'set';
  item_id: number;
  /** Import status; set versions have nothing to import, so they are always `ok`. */
  status: string;
  published_at: string | null;
}
