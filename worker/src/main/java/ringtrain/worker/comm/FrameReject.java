package ringtrain.worker.comm;

/** Why a received frame was dropped instead of being reduced. */
public enum FrameReject {
  /** Too short, wrong magic or wrong version. */
  MALFORMED,
  /** Another job's token. */
  WRONG_JOB,
  /** Another stage attempt of this job. */
  WRONG_ATTEMPT,
  /** A collective this rank has already finished. */
  STALE,
  /** The current collective's sequence number but another step, bucket or kind. */
  WRONG_STEP,
  /** Not the chunk, fragment or length expected next. */
  OUT_OF_ORDER,
  /** The payload does not match its CRC32C. */
  BAD_CRC
}
