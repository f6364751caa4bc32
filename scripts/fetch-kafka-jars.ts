// Used by scripts/bootstrap.sh: downloads the Kafka jars for local test brokers unless present,
// and the kafka-storage test jar (LocalTieredStorage) for the tiered storage tests.
import { ensureKafkaJars } from '../src/local/kafka-jars.ts';
import { ensureTieredStorageJar } from '../src/local/tiered-storage.ts';

await ensureKafkaJars({ log: (line) => console.log(`bootstrap: ${line}`) });
console.log(`bootstrap: tiered storage test jar ${await ensureTieredStorageJar()}`);
