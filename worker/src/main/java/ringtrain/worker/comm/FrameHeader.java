package ringtrain.worker.comm;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over the ringtrain header that starts every Aeron fragment of the ring. Fields are in
 * the platform's byte order (little-endian on every supported host). The payload follows at {@link
 * #LENGTH}.
 */
public final class FrameHeader {
  public static final int MAGIC = 0x52544631; // "RTF1"
  public static final short VERSION = 1;

  public static final int MAGIC_OFFSET = 0;
  public static final int VERSION_OFFSET = 4;
  public static final int KIND_OFFSET = 6;
  public static final int JOB_TOKEN_OFFSET = 8;
  public static final int ATTEMPT_OFFSET = 16;
  public static final int BUCKET_OFFSET = 20;
  public static final int STEP_OFFSET = 24;
  public static final int SEQUENCE_OFFSET = 32;
  public static final int CHUNK_OFFSET = 40;
  public static final int FRAGMENT_OFFSET = 44;
  public static final int PAYLOAD_LENGTH_OFFSET = 48;
  public static final int CRC_OFFSET = 52;
  public static final int RING_STEP_OFFSET = 56;
  public static final int SENDER_OFFSET = 60;

  /** Header length in bytes; keeps the payload 64-byte aligned after Aeron's 32-byte header. */
  public static final int LENGTH = 64;

  /** Collective a frame belongs to. */
  public static final short KIND_ALL_REDUCE = 1;

  public static final short KIND_BROADCAST = 2;
  public static final short KIND_BARRIER = 3;

  /** Raw transport frames of the point-to-point bandwidth measurement. */
  public static final short KIND_RAW = 4;

  /** The two halves of the all-reduce run on their own; a frame of one never joins the other. */
  public static final short KIND_REDUCE_SCATTER = 5;

  public static final short KIND_ALL_GATHER = 6;

  private DirectBuffer buffer;
  private int offset;

  public FrameHeader wrap(DirectBuffer buffer, int offset) {
    this.buffer = buffer;
    this.offset = offset;
    return this;
  }

  private MutableDirectBuffer mutable() {
    return (MutableDirectBuffer) buffer;
  }

  public int magic() {
    return buffer.getInt(offset + MAGIC_OFFSET);
  }

  public short version() {
    return buffer.getShort(offset + VERSION_OFFSET);
  }

  public short kind() {
    return buffer.getShort(offset + KIND_OFFSET);
  }

  public long jobToken() {
    return buffer.getLong(offset + JOB_TOKEN_OFFSET);
  }

  public int attempt() {
    return buffer.getInt(offset + ATTEMPT_OFFSET);
  }

  public int bucket() {
    return buffer.getInt(offset + BUCKET_OFFSET);
  }

  public long step() {
    return buffer.getLong(offset + STEP_OFFSET);
  }

  public long sequence() {
    return buffer.getLong(offset + SEQUENCE_OFFSET);
  }

  public int chunk() {
    return buffer.getInt(offset + CHUNK_OFFSET);
  }

  public int fragment() {
    return buffer.getInt(offset + FRAGMENT_OFFSET);
  }

  public int payloadLength() {
    return buffer.getInt(offset + PAYLOAD_LENGTH_OFFSET);
  }

  public int crc() {
    return buffer.getInt(offset + CRC_OFFSET);
  }

  public int ringStep() {
    return buffer.getInt(offset + RING_STEP_OFFSET);
  }

  public int sender() {
    return buffer.getInt(offset + SENDER_OFFSET);
  }

  /** Writes the fields that stay the same for every fragment of one collective. */
  public FrameHeader writeOp(
      short kind, long jobToken, int attempt, int bucket, long step, long sequence, int sender) {
    MutableDirectBuffer b = mutable();
    b.putInt(offset + MAGIC_OFFSET, MAGIC);
    b.putShort(offset + VERSION_OFFSET, VERSION);
    b.putShort(offset + KIND_OFFSET, kind);
    b.putLong(offset + JOB_TOKEN_OFFSET, jobToken);
    b.putInt(offset + ATTEMPT_OFFSET, attempt);
    b.putInt(offset + BUCKET_OFFSET, bucket);
    b.putLong(offset + STEP_OFFSET, step);
    b.putLong(offset + SEQUENCE_OFFSET, sequence);
    b.putInt(offset + SENDER_OFFSET, sender);
    return this;
  }

  /** Writes the fields that locate one fragment and describe its payload. */
  public FrameHeader writeFragment(
      int ringStep, int chunk, int fragment, int payloadLength, int crc) {
    MutableDirectBuffer b = mutable();
    b.putInt(offset + RING_STEP_OFFSET, ringStep);
    b.putInt(offset + CHUNK_OFFSET, chunk);
    b.putInt(offset + FRAGMENT_OFFSET, fragment);
    b.putInt(offset + PAYLOAD_LENGTH_OFFSET, payloadLength);
    b.putInt(offset + CRC_OFFSET, crc);
    return this;
  }
}
