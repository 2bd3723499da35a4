import java.io.BufferedReader;
import java.io.InputStreamReader;
import org.apache.maven.artifact.versioning.ComparableVersion;

/** Reads "a<TAB>b" lines and prints Integer.signum(new ComparableVersion(a).compareTo(b)). */
public class Cmp {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    StringBuilder out = new StringBuilder();
    for (String l; (l = in.readLine()) != null; ) {
      String[] p = l.split("\t", 2);
      out.append(Integer.signum(new ComparableVersion(p[0]).compareTo(new ComparableVersion(p[1])))).append('\n');
    }
    System.out.print(out);
  }
}
