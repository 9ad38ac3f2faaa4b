/** Where audit reports go (an S3 bucket in AWS, the local S3 emulator in local mode). */
export interface EvidenceStore {
  /** Writes one object; resolves with where it went (`s3://bucket/key`). @throws when it could not be written. */
  put(key: string, body: string, contentType: string): Promise<string>;
}
