/** The explanatory sections of the generated `aws-sqs` docs page (docs/connectors/aws-sqs.md). */
export const SQS_GUIDE = `## Least-privilege policy

An IAM policy for the user or role whose credentials the integration uses (queue \`iot-telemetry\`,
downlink queue \`iot-commands\`, region \`eu-west-1\`, account \`123456789012\`). The connector calls
ReceiveMessage, DeleteMessageBatch, ChangeMessageVisibilityBatch (visibility extension and
give-back) and GetQueueAttributes (at start and in the connection check) on the queue, and
SendMessage on the downlink queue:

\`\`\`json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "CloudbridgeUplink",
      "Effect": "Allow",
      "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
      "Resource": "arn:aws:sqs:eu-west-1:123456789012:iot-telemetry"
    },
    {
      "Sid": "CloudbridgeDownlink",
      "Effect": "Allow",
      "Action": "sqs:SendMessage",
      "Resource": "arn:aws:sqs:eu-west-1:123456789012:iot-commands"
    }
  ]
}
\`\`\`

- The batch calls are authorised by the single-message actions (\`sqs:DeleteMessage\`,
  \`sqs:ChangeMessageVisibility\`).
- A queue encrypted with a customer-managed KMS key also needs \`kms:Decrypt\` on that key (and
  \`kms:GenerateDataKey\` for sending to an encrypted downlink queue); SQS-managed encryption
  (SSE-SQS) needs nothing.
- The same rights can be granted in the queue's access policy instead, naming the IAM principal.
- Temporary credentials (a role, SSO, web identity) are refreshed by the AWS SDK's credential
  chain; static keys in the config are not.
`;
