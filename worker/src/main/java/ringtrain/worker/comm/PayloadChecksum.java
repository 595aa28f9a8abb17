package ringtrain.worker.comm;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.agrona.DirectBuffer;

/**
 * CRC32C of a frame payload with the JDK's intrinsic {@link CRC32C}, read in place from the Aeron
 * term buffer. (Agrona's own Crc32c needs {@code --add-opens java.base/java.util.zip}, which Spark
 * executors do not get.) One instance per thread.
 */
final class PayloadChecksum {
  private final CRC32C crc = new CRC32C();
  private byte[] scratch = new byte[0];

  int compute(DirectBuffer buffer, int offset, int length) {
    crc.reset();
    ByteBuffer backing = buffer.byteBuffer();
    if (backing != null) {
      int start = buffer.wrapAdjustment() + offset;
      crc.update(backing.duplicate().limit(start + length).position(start));
    } else if (buffer.byteArray() != null) {
      crc.update(buffer.byteArray(), buffer.wrapAdjustment() + offset, length);
    } else {
      if (scratch.length < length) {
        scratch = new byte[length];
      }
      buffer.getBytes(offset, scratch, 0, length);
      crc.update(scratch, 0, length);
    }
    return (int) crc.getValue();
  }
}
