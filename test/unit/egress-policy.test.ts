import { classifyAddress, createEgressPolicy, type EgressPolicy } from '#shared/domain/models/egress-policy.js';
import { parseEgressAllow, readEgressSettings, readResponseLimits } from '#shared/platform/provider-settings.js';

const cloud = createEgressPolicy({ mode: 'cloud', allow: [] });
const local = createEgressPolicy({ mode: 'local', allow: [] });

const connect = (policy: EgressPolicy, address: string, protocol = 'https:', host = 'models.example.com') =>
  policy.allows({ protocol, host, address });

/** Every address the issue names, with the forms that smuggle an IPv4 address inside IPv6. */
const refused: [string, string][] = [
  ['loopback', '127.0.0.1'],
  ['loopback, anywhere in 127/8', '127.255.0.9'],
  ['loopback, IPv6', '::1'],
  ['the instance metadata service', '169.254.169.254'],
  ['the ECS container credentials endpoint', '169.254.170.2'],
  ['the instance metadata service over IPv6', 'fd00:ec2::254'],
  ['link-local', '169.254.1.1'],
  ['link-local, IPv6', 'fe80::1'],
  ['RFC 1918 10/8', '10.1.2.3'],
  ['RFC 1918 172.16/12', '172.31.255.254'],
  ['RFC 1918 192.168/16', '192.168.0.1'],
  ['shared address space 100.64/10', '100.100.100.200'],
  ['unique local fc00::/7', 'fc00::1'],
  ['unique local fd00::/8', 'fdff:ffff::1'],
  ['multicast', '224.0.0.251'],
  ['multicast, IPv6', 'ff02::1'],
  ['unspecified', '0.0.0.0'],
  ['unspecified, anywhere in 0/8', '0.1.2.3'],
  ['unspecified, IPv6', '::'],
  ['broadcast', '255.255.255.255'],
  ['reserved 240/4', '240.0.0.1'],
  ['documentation 192.0.2/24', '192.0.2.10'],
  ['IETF protocol assignments 192.0.0/24', '192.0.0.170'],
  ['benchmarking 198.18/15', '198.18.0.1'],
  ['site-local (deprecated) fec0::/10', 'fec0::1'],
  ['documentation 2001:db8::/32', '2001:db8::1'],
  ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
  ['IPv4-mapped loopback, hex', '::ffff:7f00:1'],
  ['IPv4-mapped metadata', '::ffff:169.254.169.254'],
  ['IPv4-mapped private', '::ffff:10.0.0.1'],
  ['IPv4-mapped shared address space', '::ffff:100.64.0.1'],
  ['IPv4-mapped unspecified', '::ffff:0.0.0.0'],
  ['IPv4-translated (RFC 6145) loopback', '::ffff:0:127.0.0.1'],
  ['IPv4-translated metadata', '::ffff:0:a9fe:a9fe'],
  ['IPv4-compatible loopback', '::127.0.0.1'],
  ['IPv4-compatible metadata', '::a9fe:a9fe'],
  ['IPv4-compatible private', '::192.168.1.1'],
  ['NAT64 loopback', '64:ff9b::127.0.0.1'],
  ['NAT64 metadata', '64:ff9b::a9fe:a9fe'],
  ['NAT64 private', '64:ff9b::10.0.0.1'],
  ['NAT64 local-use prefix (RFC 8215)', '64:ff9b:1::a00:1'],
  ['6to4', '2002:7f00:1::1'],
  ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
];

describe('the cloud egress policy', () => {
  it.each(refused)('refuses %s (%s)', (_, address) => {
    expect(connect(cloud, address)).toMatchObject({ allowed: false, refused: 'address' });
  });

  it.each([
    ['a public IPv4 address', '93.184.216.34'],
    ['a public IPv6 address', '2606:2800:220:1:248:1893:25c8:1946'],
    ['a public address, IPv4-mapped', '::ffff:93.184.216.34'],
    ['a public address through NAT64', '64:ff9b::5db8:d822'],
    ['an address next to the shared space (100.128/9)', '100.128.0.1'],
    ['an address next to 172.16/12', '172.32.0.1'],
  ])('allows %s (%s) over https', (_, address) => {
    expect(connect(cloud, address)).toEqual({ allowed: true });
  });

  it('refuses plain http, even to a public address', () => {
    expect(connect(cloud, '93.184.216.34', 'http:')).toMatchObject({ allowed: false, refused: 'scheme' });
  });

  it('refuses any scheme but http and https', () => {
    expect(connect(cloud, '93.184.216.34', 'ftp:')).toMatchObject({ allowed: false, refused: 'scheme' });
  });
});

describe('the local egress policy', () => {
  it.each([['127.0.0.1'], ['127.0.0.53'], ['::1'], ['::ffff:127.0.0.1'], ['64:ff9b::127.0.0.1']])('allows loopback %s, over http too', (address) => {
    expect(connect(local, address, 'http:')).toEqual({ allowed: true });
  });

  it.each(refused.filter(([name]) => !name.includes('loopback')))('still refuses %s (%s)', (_, address) => {
    expect(connect(local, address, 'http:')).toMatchObject({ allowed: false });
  });
});

describe("the operator's allowlist", () => {
  const policy = createEgressPolicy({ mode: 'cloud', allow: parseEgressAllow('vllm.internal, 10.20.0.0/16 fd12::/64,192.168.7.7') });

  it('allows a listed CIDR, over http too, and its IPv4-mapped form', () => {
    expect(connect(policy, '10.20.3.4', 'http:')).toEqual({ allowed: true });
    expect(connect(policy, '::ffff:10.20.3.4', 'http:')).toEqual({ allowed: true });
    expect(connect(policy, 'fd12::5')).toEqual({ allowed: true });
    expect(connect(policy, '192.168.7.7')).toEqual({ allowed: true });
  });

  it('allows a listed host name whatever it resolves to', () => {
    expect(connect(policy, '10.99.0.1', 'http:', 'vllm.internal')).toEqual({ allowed: true });
    expect(connect(policy, '10.99.0.1', 'http:', 'VLLM.internal.')).toEqual({ allowed: true });
  });

  it('allows nothing next to what is listed', () => {
    expect(connect(policy, '10.21.0.1')).toMatchObject({ allowed: false });
    expect(connect(policy, '192.168.7.8')).toMatchObject({ allowed: false });
    expect(connect(policy, '10.99.0.1', 'https:', 'other.internal')).toMatchObject({ allowed: false });
    expect(connect(policy, '169.254.169.254', 'https:', 'vllm.internal.evil.example')).toMatchObject({ allowed: false });
  });
});

describe('a URL at registration', () => {
  it.each([
    ['decimal', 'http://2130706433/'],
    ['octal', 'http://0177.0.0.1/'],
    ['hex, shortened', 'http://0x7f.1/'],
    ['hex, one number', 'https://0x7f000001/'],
    ['bracketed IPv6', 'https://[::1]:8443/v1'],
    ['IPv4-mapped IPv6', 'https://[::ffff:127.0.0.1]/'],
    ['IPv4-compatible IPv6', 'https://[::127.0.0.1]/'],
    ['NAT64', 'https://[64:ff9b::7f00:1]/'],
  ])('refuses loopback spelled %s (%s) on the cloud policy', (_, url) => {
    expect(cloud.allowsUrl(url)).toMatchObject({ allowed: false });
  });

  it.each([
    ['https://2852039166/'],
    ['https://0251.0376.0251.0376/'],
    ['https://0xa9.0xfe.0xa9.0xfe/'],
    ['https://[::ffff:a9fe:a9fe]/'],
    ['https://[fd00:ec2::254]/'],
    ['http://169.254.170.2/v2/credentials'],
    ['https://10.0.0.1/'],
    ['https://012.0.0.1/'],
  ])('refuses %s on the local policy as on the cloud one', (url) => {
    expect(local.allowsUrl(url)).toMatchObject({ allowed: false, refused: 'address' });
    expect(cloud.allowsUrl(url)).toMatchObject({ allowed: false });
  });

  it('allows loopback on the local policy', () => {
    expect(local.allowsUrl('http://127.0.0.1:4010/v1')).toEqual({ allowed: true });
    expect(local.allowsUrl('http://2130706433:4010/v1')).toEqual({ allowed: true });
    expect(local.allowsUrl('http://[::1]:4010/v1')).toEqual({ allowed: true });
  });

  it('accepts a name over https, to be checked at call time, and refuses one over http on the cloud policy', () => {
    expect(cloud.allowsUrl('https://api.example.com/v1')).toEqual({ allowed: true });
    expect(cloud.allowsUrl('http://api.example.com/v1')).toMatchObject({ allowed: false, refused: 'scheme' });
    expect(local.allowsUrl('http://api.example.com/v1')).toEqual({ allowed: true });
  });

  it('accepts a name over http on the cloud policy when an allowlist entry could cover it', () => {
    expect(createEgressPolicy({ mode: 'cloud', allow: ['models.internal'] }).allowsUrl('http://models.internal:8000/v1')).toEqual({ allowed: true });
    expect(createEgressPolicy({ mode: 'cloud', allow: ['10.0.0.0/8'] }).allowsUrl('http://models.internal:8000/v1')).toEqual({ allowed: true });
    expect(createEgressPolicy({ mode: 'cloud', allow: ['models.internal'] }).allowsUrl('http://other.internal/v1')).toMatchObject({ allowed: false });
  });

  it('refuses what is not an http(s) URL', () => {
    expect(cloud.allowsUrl('file:///etc/passwd')).toMatchObject({ allowed: false });
    expect(cloud.allowsUrl('not a url')).toMatchObject({ allowed: false });
  });
});

describe('classifyAddress', () => {
  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'linkLocal'],
    ['::ffff:0:10.0.0.1', 'private'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['8.8.8.8', 'unicast'],
  ])('classifies %s as %s', (address, range) => {
    expect(classifyAddress(address)).toBe(range);
  });
});

describe('the settings', () => {
  it('default to the cloud policy with no allowlist', () => {
    expect(readEgressSettings({})).toEqual({ mode: 'cloud', allow: [] });
  });

  it('read the mode and the allowlist', () => {
    expect(readEgressSettings({ ARBITER_EGRESS_POLICY: 'local', ARBITER_EGRESS_ALLOW: 'Models.Internal., 10.0.0.0/8' })).toEqual({
      mode: 'local',
      allow: ['models.internal', '10.0.0.0/8'],
    });
  });

  it.each([
    [{ ARBITER_EGRESS_POLICY: 'open' }, 'ARBITER_EGRESS_POLICY'],
    [{ ARBITER_EGRESS_ALLOW: 'http://models.internal' }, 'ARBITER_EGRESS_ALLOW'],
    [{ ARBITER_EGRESS_ALLOW: '10.0.0.0/33' }, 'ARBITER_EGRESS_ALLOW'],
  ])('fail fast on %j, naming %s', (env, name) => {
    expect(() => readEgressSettings(env)).toThrow(name);
  });

  it('read the response limits, 4 MiB and 64 KiB by default', () => {
    expect(readResponseLimits({})).toEqual({ maxResponseBytes: 4 * 1024 * 1024, maxAnswerBytes: 64 * 1024 });
    expect(readResponseLimits({ ARBITER_MAX_RESPONSE_BYTES: '1000', ARBITER_MAX_ANSWER_BYTES: '100' })).toEqual({
      maxResponseBytes: 1000,
      maxAnswerBytes: 100,
    });
    expect(() => readResponseLimits({ ARBITER_MAX_ANSWER_BYTES: '-1' })).toThrow('ARBITER_MAX_ANSWER_BYTES');
  });
});
