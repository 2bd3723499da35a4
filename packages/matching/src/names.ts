/**
 * Package-name identity per ecosystem, so that installed names and advisory names compare equal.
 * The DB prefilter must key its lookups with the same function.
 */
export function normalizePackageName(ecosystem: string, name: string): string {
  switch (ecosystem) {
    case "PyPI":
      return name.toLowerCase().replace(/[-_.]+/g, "-"); // PEP 503
    case "NuGet":
    case "Packagist":
      return name.toLowerCase();
    default:
      return name;
  }
}
