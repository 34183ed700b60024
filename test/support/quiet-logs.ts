// Handler logs are JSON lines meant for CloudWatch; in test output they only bury the failures.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
