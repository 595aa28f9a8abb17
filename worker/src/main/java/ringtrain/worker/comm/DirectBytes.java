package ringtrain.worker.comm;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link ByteBuffer} views of native memory given by address (an ND4J buffer, a direct
 * FloatBuffer), for the Vector API, which loads from buffers and arrays only. Uses the JDK's own
 * constructor for JNI's {@code NewDirectByteBuffer}, reachable with {@code
 * --add-opens=java.base/java.nio} (which Spark needs anyway); without it {@link #view} returns null
 * and callers use their scalar path.
 */
final class DirectBytes {
  private static final MethodHandle CONSTRUCTOR = constructor();

  private DirectBytes() {}

  /** A native-order view of {@code length} bytes at {@code address}, or null if unavailable. */
  static ByteBuffer view(long address, int length) {
    if (CONSTRUCTOR == null || address == 0) {
      return null;
    }
    try {
      return ((ByteBuffer) CONSTRUCTOR.invoke(address, length)).order(ByteOrder.nativeOrder());
    } catch (Throwable e) {
      return null;
    }
  }

  private static MethodHandle constructor() {
    try {
      Class<?> type = Class.forName("java.nio.DirectByteBuffer");
      MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
      MethodHandle h;
      try {
        h = lookup.findConstructor(type, MethodType.methodType(void.class, long.class, int.class));
      } catch (NoSuchMethodException e) {
        h = lookup.findConstructor(type, MethodType.methodType(void.class, long.class, long.class));
        h =
            MethodHandles.explicitCastArguments(
                h, MethodType.methodType(type, long.class, int.class));
      }
      return h.asType(MethodType.methodType(ByteBuffer.class, long.class, int.class));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // java.nio not opened to us: scalar path
    }
  }
}
