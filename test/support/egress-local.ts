/**
 * jest setupFiles: tests run on the egress policy of the local stack (`npm start`), which allows loopback,
 * because their model servers listen on 127.0.0.1. Tests of the cloud policy build that policy themselves,
 * and test/integration/egress.test.ts starts its stack with ARBITER_EGRESS_POLICY=cloud.
 */
process.env.ARBITER_EGRESS_POLICY ??= 'local';
