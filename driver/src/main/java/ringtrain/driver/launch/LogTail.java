package ringtrain.driver.launch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Keeps the last lines a rank logged (INFO and above from ringtrain, WARN and above from the rest,
 * as the log configuration lets through), so that a failing rank can tell the driver what it was
 * doing. Installed on the root logger for the duration of one task.
 */
final class LogTail extends AbstractAppender implements AutoCloseable {
  private final int capacity;
  private final ArrayDeque<String> lines = new ArrayDeque<>();
  private final LoggerContext context;

  private LogTail(String name, int capacity, LoggerContext context) {
    super(
        name,
        null,
        PatternLayout.newBuilder().withPattern("%d{HH:mm:ss.SSS} %-5level %c{1} - %msg").build(),
        true,
        Property.EMPTY_ARRAY);
    this.capacity = capacity;
    this.context = context;
  }

  /** Starts capturing the last {@code capacity} lines; works only where log4j2 is the backend. */
  static LogTail install(String name, int capacity) {
    if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
      return new LogTail(name, capacity, null);
    }
    LogTail tail = new LogTail(name, capacity, context);
    tail.start();
    Configuration config = context.getConfiguration();
    config.addAppender(tail);
    config.getRootLogger().addAppender(tail, Level.INFO, null);
    context.updateLoggers();
    return tail;
  }

  @Override
  public void append(LogEvent event) {
    String line =
        new String(getLayout().toByteArray(event), java.nio.charset.StandardCharsets.UTF_8);
    if (event.getThrown() != null) {
      line += " (" + event.getThrown() + ")";
    }
    synchronized (lines) {
      lines.addLast(line);
      while (lines.size() > capacity) {
        lines.removeFirst();
      }
    }
  }

  /** The captured lines, oldest first. */
  List<String> lines() {
    synchronized (lines) {
      return new ArrayList<>(lines);
    }
  }

  @Override
  public void close() {
    if (context == null) {
      return;
    }
    Configuration config = context.getConfiguration();
    config.getRootLogger().removeAppender(getName());
    context.updateLoggers();
    stop();
  }
}
