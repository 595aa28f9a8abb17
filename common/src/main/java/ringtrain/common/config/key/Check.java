package ringtrain.common.config.key;

import java.util.List;
import java.util.function.Predicate;

/**
 * What one config key accepts. A check names the problem of a rejected value; {@link ConfigKey}
 * turns it into the one line the user sees: {@code key = value <problem>}, the problem saying what
 * is allowed.
 *
 * @param <T> the type of the values checked
 */
@FunctionalInterface
public interface Check<T> {

  /** Why {@code value} is refused (what is allowed instead), or null when it is accepted. */
  String problem(T value);

  /** Accepts a value when {@code accepted} holds, else reports {@code problem}. */
  static <T> Check<T> that(Predicate<? super T> accepted, String problem) {
    return value -> accepted.test(value) ? null : problem;
  }

  /** One of {@code allowed}. */
  static Check<String> oneOf(List<String> allowed) {
    List<String> words = List.copyOf(allowed);
    return that(words::contains, "is not supported; use one of " + String.join(", ", words));
  }

  /** A whole number at least {@code min}. */
  static Check<Number> atLeast(long min) {
    return that(n -> n.longValue() >= min, "is too small; it must be >= " + min);
  }

  /** A number at least {@code min}. */
  static Check<Number> atLeast(double min) {
    return that(n -> n.doubleValue() >= min, "is too small; it must be >= " + min);
  }

  /** A finite number at least {@code min}. */
  static Check<Number> finiteAtLeast(double min) {
    return that(
        n -> n.doubleValue() >= min && Double.isFinite(n.doubleValue()),
        "must be a finite number >= " + trim(min));
  }

  /** A finite number above 0. */
  static Check<Number> finitePositive() {
    return that(
        n -> n.doubleValue() > 0 && Double.isFinite(n.doubleValue()),
        "must be a finite number > 0");
  }

  /** A whole number in {@code [min, max]}. */
  static Check<Number> between(long min, long max) {
    return that(
        n -> n.longValue() >= min && n.longValue() <= max,
        "is out of range; it must be >= " + min + " and <= " + max);
  }

  /** A number in the closed range {@code [low, high]}. */
  static Check<Number> closed(double low, double high) {
    return that(
        n -> n.doubleValue() >= low && n.doubleValue() <= high,
        "is out of range; it must be >= " + trim(low) + " and <= " + trim(high));
  }

  /** A number in the half-open range {@code [low, high)}. */
  static Check<Number> halfOpen(double low, double high) {
    return that(
        n -> n.doubleValue() >= low && n.doubleValue() < high,
        "is out of range; it must be >= " + trim(low) + " and < " + trim(high));
  }

  /** A number in the open range {@code (low, high)}. */
  static Check<Number> open(double low, double high) {
    return that(
        n -> n.doubleValue() > low && n.doubleValue() < high,
        "is out of range; it must be > " + trim(low) + " and < " + trim(high));
  }

  /** A number in {@code (low, high]}. */
  static Check<Number> openClosed(double low, double high) {
    return that(
        n -> n.doubleValue() > low && n.doubleValue() <= high,
        "is out of range; it must be > " + trim(low) + " and <= " + trim(high));
  }

  /** A whole power of two; {@code problem} says which range is meant. */
  static Check<Number> powerOfTwo(String problem) {
    return that(n -> Long.bitCount(n.longValue()) == 1, problem);
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
