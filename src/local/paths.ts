import { fileURLToPath } from "node:url";
import path from "node:path";

/** Root of the kreroute checkout or installed package (this file lives in src/local/ or dist/local/). */
export const repoRoot: string = fileURLToPath(new URL("../..", import.meta.url));

/** Git-ignored folder for downloaded jars and broker logs. */
export const defaultCacheDir: string = path.join(repoRoot, ".cache");

export const kafkaPomFile: string = path.join(repoRoot, "kafka", "pom.xml");
export const kafkaLog4jConfig: string = path.join(repoRoot, "kafka", "log4j2.xml");

/** `java` from JAVA_HOME when set, else from PATH. */
export function javaExecutable(): string {
  const home = process.env["JAVA_HOME"];
  return home ? path.join(home, "bin", "java") : "java";
}
