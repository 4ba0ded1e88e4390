import { sasAccessIntro } from '../azure-common/index.ts';

/** More sections of the generated `azure-service-bus` docs page. */
export const SERVICE_BUS_GUIDE = `## How messages are settled

Cloudbridge receives in peek-lock mode. Each message is completed only after its results (or its
dead letter) are committed. While it waits, Cloudbridge renews its lock whenever less than half
of the entity's lock duration is left, for up to \`maxLockRenewalSeconds\`. When a commit fails
(store down), the message is held, its lock renewed, and offered again after the pipeline's retry
delay; it is abandoned only when the integration stops. If the lock is lost anyway (the store
stalled past \`maxLockRenewalSeconds\`, the connection dropped: a lock belongs to the link that
took it), Service Bus redelivers the message with its delivery count + 1, and the store recognises
it by its MessageId: it is counted as \`lockLost\` and, once stored, as a duplicate, never stored
twice. Several instances on one database compete for the same entity in the same way.

A message the converter cannot handle is dead-lettered in Cloudbridge (with its payload and
metadata, replayable) and completed, as ThingsBoard does. With \`deadLetterOnConverterFailure\` it
is also moved to the entity's dead-letter queue, with the error code as \`DeadLetterReason\`.

## Sessions

On a session-enabled entity Cloudbridge takes up to \`maxConcurrentSessions\` sessions at once
and reads each in order, a batch at a time: a batch is completed before the next is read, so a
session's messages are stored in the order they were sent. The SDK renews the session lock.

## Status

\`inFlight\`, \`completed\`, \`abandoned\`, \`deadLetteredOnServiceBus\`, \`lockRenewals\`,
\`lockRenewalFailures\`, \`lockLost\`, \`sessionsActive\`, \`lastMessageAt\`.

## Compared with ThingsBoard

ThingsBoard's Service Bus integration completes messages whose conversion failed and passes no
application properties; Cloudbridge passes every application property and the system properties
in the metadata, and dead-letters failed messages where they can be replayed.

${sasAccessIntro('Azure Service Bus Data Receiver')} The least a policy can have:

| Right | For |
|---|---|
| Listen | receiving in peek-lock, completing, abandoning, dead-lettering, lock renewal, sessions |
| Send | downlinks only (\`downlinkQueueOrTopic\`) |
| Manage | never needed |

A policy on the queue (or topic) grants nothing on other entities: with downlinks to another queue,
use a namespace policy with Listen and Send, or keep uplink and downlink on separate integrations
each with its entity's policy.
`;
