// Tests assert on behaviour, not on log lines: keep the Powertools logger quiet unless a test asks otherwise.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_REGION ??= 'eu-west-1';
