package ringtrain.bench.netlab;

import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension behind {@link NetLabHosts}. The lab uses its own prefix ({@code rtt}) and
 * subnet (198.18.2.0/24), so a test never touches a lab of a benchmark or a person on the same
 * machine.
 */
public final class NetLabExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  static final String PREFIX = "rtt";
  static final int SUBNET = 2;
  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(NetLabExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    Optional<String> why = NetLab.unavailable();
    if (why.isPresent()) {
      // Surefire does not count a class skipped in beforeAll: say it in the build log too.
      String message =
          context.getRequiredTestClass().getSimpleName()
              + " skipped: no network lab on this machine: "
              + why.get();
      System.err.println(message);
      Assumptions.abort(message);
    }
    NetLabHosts spec = context.getRequiredTestClass().getAnnotation(NetLabHosts.class);
    if (spec == null) {
      throw new IllegalStateException("annotate the test class with @NetLabHosts");
    }
    NetLab lab = NetLab.up(PREFIX, SUBNET, new NetLab.Spec(spec.hosts(), spec.rate(), spec.loss()));
    context.getStore(STORE).put(NetLab.class, lab);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    NetLab lab = context.getStore(STORE).remove(NetLab.class, NetLab.class);
    if (lab != null) {
      lab.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == NetLab.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    NetLab lab = context.getStore(STORE).get(NetLab.class, NetLab.class);
    if (lab == null) {
      throw new IllegalStateException("no network lab is up for " + context.getDisplayName());
    }
    return lab;
  }
}
