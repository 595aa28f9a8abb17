package ringtrain.driver.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the version recorded in the jar manifest. */
public final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {"ringtrain " + (version == null ? "(development build)" : version)};
  }
}
