package ringtrain.bench.netlab;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class inside a network lab ({@code deploy/bin/netlab}) of {@link #hosts()} hosts with
 * links shaped to {@link #rate()}: brought up before the first test, removed after the last (also
 * when a test fails). Tests take the lab as a {@link NetLab} parameter. Without root, or without
 * ip, tc or nft, every test of the class is skipped with netlab's reason.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(NetLabExtension.class)
public @interface NetLabHosts {
  /** Number of hosts. */
  int hosts() default 2;

  /** Rate of every link per direction, a tc rate. */
  String rate() default "1gbit";

  /** Random UDP loss at every host in percent. */
  double loss() default 0;
}
