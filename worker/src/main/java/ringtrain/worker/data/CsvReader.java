package ringtrain.worker.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import ringtrain.common.error.ConfigException;
import ringtrain.common.error.DataException;

/**
 * Reads a headerless, comma-separated file of numbers: one example per line, the integer class
 * label in one column and features in all the others. Blank lines are skipped; every other line
 * must have as many columns as the first. Positions in messages are {@code file:line:column}, both
 * counted from 1 as editors do.
 */
final class CsvReader {
  /** The rows of one file: {@code labels.length} rows of {@code columns − 1} features. */
  record Table(float[] features, int[] labels, int columns) {
    int featureCount() {
      return columns - 1;
    }
  }

  private CsvReader() {}

  /**
   * @param key the config key that named the file, for messages
   * @param labelColumn zero-based column of the label
   * @param numClasses labels must lie in {@code [0, numClasses)}
   */
  static Table read(Path file, String key, int labelColumn, int numClasses) {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      return parse(in, file, labelColumn, numClasses);
    } catch (NoSuchFileException e) {
      throw new DataException(
          key + " = " + file + ": no such file; set " + key + " to an existing CSV file", e);
    } catch (IOException e) {
      throw new DataException("cannot read " + key + " = " + file + ": " + e.getMessage(), e);
    }
  }

  private static Table parse(BufferedReader in, Path file, int labelColumn, int numClasses)
      throws IOException {
    int columns = -1;
    int rows = 0;
    float[] features = new float[1024];
    int[] labels = new int[64];
    String[] cells = new String[16];
    String line;
    int lineNo = 0;
    while ((line = in.readLine()) != null) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      int n = split(line, cells);
      if (n > cells.length) {
        cells = new String[n];
        split(line, cells);
      }
      if (columns < 0) {
        columns = n;
        if (labelColumn >= columns) {
          throw new ConfigException(
              "data.label_column = "
                  + labelColumn
                  + " but "
                  + file
                  + " has "
                  + columns
                  + " columns (0.."
                  + (columns - 1)
                  + "); set data.label_column to the zero-based column of the label");
        }
        if (columns < 2) {
          throw new DataException(
              file + ":" + lineNo + ": a row needs a label column and at least one feature column");
        }
      } else if (n != columns) {
        throw new DataException(
            file
                + ":"
                + lineNo
                + ": found "
                + n
                + " columns, expected "
                + columns
                + " like the first row; every row needs the same number of columns");
      }
      int d = columns - 1;
      if ((long) (rows + 1) * d > Integer.MAX_VALUE - 16) {
        throw new DataException(file + " is too large to hold in memory as one dataset");
      }
      if ((rows + 1) * d > features.length) {
        features = Arrays.copyOf(features, Math.max((rows + 1) * d, features.length * 2));
      }
      if (rows == labels.length) {
        labels = Arrays.copyOf(labels, labels.length * 2);
      }
      int out = rows * d;
      for (int c = 0; c < columns; c++) {
        if (c == labelColumn) {
          labels[rows] = label(cells[c], file, lineNo, c, numClasses);
        } else {
          features[out++] = number(cells[c], file, lineNo, c);
        }
      }
      rows++;
    }
    if (rows == 0) {
      throw new DataException(
          file + " holds no examples; it needs one line per example: label and features");
    }
    return new Table(
        Arrays.copyOf(features, rows * (columns - 1)), Arrays.copyOf(labels, rows), columns);
  }

  /** Splits on commas into {@code cells}; returns the column count even when it does not fit. */
  private static int split(String line, String[] cells) {
    int n = 0;
    int start = 0;
    while (true) {
      int comma = line.indexOf(',', start);
      int end = comma < 0 ? line.length() : comma;
      if (n < cells.length) {
        cells[n] = line.substring(start, end);
      }
      n++;
      if (comma < 0) {
        return n;
      }
      start = comma + 1;
    }
  }

  private static float number(String cell, Path file, int line, int column) {
    String s = cell.strip();
    try {
      float v = Float.parseFloat(s);
      if (Float.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw notNumber(s, file, line, column, "a finite number");
  }

  private static int label(String cell, Path file, int line, int column, int numClasses) {
    String s = cell.strip();
    double v;
    try {
      v = Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw notNumber(s, file, line, column, "an integer class label");
    }
    if (v != Math.rint(v)) {
      throw notNumber(s, file, line, column, "an integer class label");
    }
    if (v < 0 || v >= numClasses) {
      throw new DataException(
          position(file, line, column)
              + ": label "
              + s
              + " is outside [0, "
              + numClasses
              + "); labels must be 0.."
              + (numClasses - 1)
              + ", or raise data.num_classes");
    }
    return (int) v;
  }

  private static DataException notNumber(
      String s, Path file, int line, int column, String expected) {
    return new DataException(
        position(file, line, column)
            + ": \""
            + s
            + "\" is not "
            + expected
            + "; the CSV must hold numbers only, with no header line");
  }

  private static String position(Path file, int line, int column) {
    return file + ":" + line + ":" + (column + 1);
  }
}
