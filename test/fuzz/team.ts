/**
 * The team the fuzz suite's functions serve: two channels, and either the default source settings or every optional
 * message turned on (more of each source's code is reached), with the S3 buckets of the fixtures wired.
 */

/** `CHANNELS`: the default channel and one more, so that `/hooks/{source}/{channel}` has a channel to name. */
export const CHANNELS = JSON.stringify({ default: 'space-default', ops: 'space-ops' });

/** Every optional message of every source turned on. */
export const EVERYTHING_ON = JSON.stringify({
  github: { workflowJob: true, checkRun: true, inProgress: true },
  gitlab: { jobEvents: true, inProgress: true },
  jenkins: { inProgress: true },
  circleci: { jobCompleted: true },
  codebuild: { states: ['SUCCEEDED', 'FAILED', 'FAULT', 'STOPPED', 'TIMED_OUT', 'IN_PROGRESS'] },
  codepipeline: {
    states: ['SUCCEEDED', 'FAILED', 'STOPPED', 'CANCELED', 'ABANDONED', 'SUPERSEDED', 'STARTED', 'RESUMED', 'STOPPING'],
    levels: ['pipeline', 'stage', 'action'],
  },
});

/** The buckets of the S3 fixtures, so their events become messages (with filters and a channel on some). */
export const FIXTURE_BUCKETS = JSON.stringify([
  { name: 'example-bucket' },
  { name: 'sourcebucket', channel: 'ops' },
  { name: 'mybucket', prefix: 'uploads/' },
  { name: 'xxx', suffix: '.pdf' },
  { name: 'lambda-artifacts-deafc19498e3f2df' },
  { name: 's3-eb-unwrap-sourcebucket-7mop1gqlyrzu' },
  { name: 's3-sns-unwrap-bucket-683517028648' },
  { name: 'unwraptestevents-bucket-683517028648' },
]);
