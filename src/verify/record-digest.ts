// The digest itself lives in kafka/ so that plan can anchor source records with it too; which fields a
// topic's digests cover is the plan's to say.
export { type DigestFields, recordBytes, recordDigest } from '../kafka/wire/record-digest.ts';
export { digestFieldsOf } from '../plan/digest-fields.ts';
