import path from 'node:path';
import { javaExecutable, kafkaLog4jConfig } from '../../src/local/paths.ts';

/** `java … -cp <libs>/* <mainClass> <args>` with the JVM flags Kafka's own scripts use (kafka-run-class.sh). */
export function javaCommand(libsDir: string, mainClass: string, args: string[], heap: string, logFile: string): { command: string; args: string[] } {
  return {
    command: javaExecutable(),
    args: [
      `-Xmx${heap}`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${kafkaLog4jConfig}`,
      `-Dkreroute.log.file=${logFile}`,
      '-cp',
      path.join(libsDir, '*'),
      mainClass,
      ...args,
    ],
  };
}
