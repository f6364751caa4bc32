// Used by scripts/bootstrap.sh: downloads the Kafka jars for local test brokers unless present.
import { ensureKafkaJars } from "../src/local/kafka-jars.ts";

await ensureKafkaJars({ log: (line) => console.log(`bootstrap: ${line}`) });
