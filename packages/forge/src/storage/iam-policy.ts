// The least the forge needs on a user's bucket, as an AWS-style IAM policy (also understood
// by MinIO and Wasabi): check the bucket (HeadBucket is allowed by s3:ListBucket), and read,
// write and delete objects. Shown on /settings/storage/policy and in docs/storage.md.
export function iamPolicy(bucket: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "MicelioBucket",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [`arn:aws:s3:::${bucket}`],
      },
      {
        Sid: "MicelioObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: [`arn:aws:s3:::${bucket}/*`],
      },
    ],
  };
}
