// The SDK warns once per process that its 2027 releases will need Node 22. Deployed functions run Node 22
// already; on a Node 20 laptop the warning says nothing actionable, so local tools silence it (first import).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
