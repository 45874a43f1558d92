// Tests assert on behaviour, not on log lines: keep the Powertools logger quiet unless a test asks otherwise.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_REGION ??= 'eu-west-1';
// The SDK announces that its 2027 releases need Node 22; the suite runs on Node 20 on purpose (DESIGN.md toolchain).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
