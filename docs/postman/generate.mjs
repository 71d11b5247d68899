// Builds docs/postman/ from the API's OpenAPI spec: `make postman` runs it.
//
//   node docs/postman/generate.mjs SPEC.json OUT_DIR
//
// openapi-to-postmanv2 (Postman's own converter) makes the collection; the steps after it make
// the file stable and usable the way the course's collection is:
//  - the base URL is {{server_address}}, as in the course's collection and environment;
//  - "Log in" stores access_token and refresh_token in the environment, "first-edition login"
//    (/auth) stores access_token, "refresh" replaces both (the refresh token rotates; the course's
//    test scripts replace access_token, with the retired postman.setEnvironmentVariable);
//  - protected requests send "Bearer {{access_token}}", /refresh sends "Bearer {{refresh_token}}";
//  - bodies and path parameters use environment variables ({{username}}, {{store_name}}, ...);
//  - the output is deterministic: ids are derived from each request's place in the collection,
//    and the converter's example values come from a seeded random generator.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [specPath, outDir] = process.argv.slice(2);
if (!specPath || !outDir) {
  console.error('usage: node docs/postman/generate.mjs SPEC.json OUT_DIR');
  process.exit(2);
}

// A seeded generator (mulberry32) in place of Math.random, so the example values the converter
// invents are the same at every run and the committed file only changes when the spec does.
let seed = 0x5eed;
Math.random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

// The faker also invents date-times around "now": a fixed now keeps them stable too.
const FIXED_NOW = Date.UTC(2026, 0, 1);
const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...args) {
    super(...(args.length ? args : [FIXED_NOW]));
  }

  static now() {
    return FIXED_NOW;
  }
};

// Imported only now, so the converter's faker picks up the seeded generator and the fixed now.
const { default: Converter } = await import('openapi-to-postmanv2');

const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const options = { folderStrategy: 'Tags', parametersResolution: 'Example', indentCharacter: 'Space' };

const ENVIRONMENT = {
  server_address: 'http://127.0.0.1:5000',
  username: 'postman-user',
  password: 'a long passphrase',
  store_name: 'my_store',
  item_name: 'chair',
  price: '12.99',
  store_id: '1',
  user_id: '1',
  access_token: '',
  refresh_token: '',
};
const PATH_VARIABLES = { user_id: '{{user_id}}' };
const NAME_VARIABLE = { store: '{{store_name}}', item: '{{item_name}}' };
const CREDENTIALS_BODY = '{\n  "username": "{{username}}",\n  "password": "{{password}}"\n}';
const ITEM_BODY = '{\n  "price": {{price}},\n  "store_id": {{store_id}}\n}';

const script = (lines) => [{ listen: 'test', script: { type: 'text/javascript', exec: lines } }];
const STORE_TOKENS = script([
  'var jsonData = pm.response.json();',
  'pm.test("access_token not empty", function () {',
  '    pm.expect(jsonData.access_token).not.eql(undefined);',
  '});',
  'pm.test("refresh token not empty", function () {',
  '    pm.expect(jsonData.refresh_token).not.eql(undefined);',
  '});',
  '// keep both tokens in the environment for the requests that follow',
  'pm.environment.set("access_token", jsonData.access_token || "");',
  'pm.environment.set("refresh_token", jsonData.refresh_token || "");',
  'if (jsonData.access_token) {',
  '    var claims = JSON.parse(atob(jsonData.access_token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));',
  '    pm.environment.set("user_id", claims.sub);',
  '}',
]);
const STORE_ACCESS_TOKEN = script([
  'var jsonData = pm.response.json();',
  'pm.test("access_token not empty", function () {',
  '    pm.expect(jsonData.access_token).not.eql(undefined);',
  '});',
  '// the new access token replaces the old one',
  'pm.environment.set("access_token", jsonData.access_token || "");',
]);
const STORE_STORE_ID = script([
  'if (pm.response.code === 201) {',
  '    pm.environment.set("store_id", pm.response.json().id);',
  '}',
]);

function uuidFor(text) {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function bearer(variable) {
  return { type: 'bearer', bearer: [{ key: 'token', value: `{{${variable}}}`, type: 'string' }] };
}

function fixUrl(url) {
  url.host = ['{{server_address}}'];
  // Optional query parameters (paging and filters of the lists) are listed but not sent, so a
  // request does what the course's does until someone ticks one.
  for (const parameter of url.query || []) {
    parameter.disabled = true;
  }
  for (const variable of url.variable || []) {
    const resource = url.path[0];
    variable.value = PATH_VARIABLES[variable.key] || NAME_VARIABLE[resource] || variable.value;
  }
}

function fixRequest(item) {
  const { request } = item;
  const route = '/' + request.url.path.join('/');
  fixUrl(request.url);
  if (request.auth && request.auth.type === 'bearer') {
    request.auth = bearer(route === '/refresh' ? 'refresh_token' : 'access_token');
  }
  if (route === '/items') {
    // Optional login: the course's "get all items" sends the token; without one, names only.
    request.auth = bearer('access_token');
  }
  if (['/register', '/login', '/auth'].includes(route)) {
    request.body.raw = CREDENTIALS_BODY;
  }
  if (route.startsWith('/item/') && request.body && request.body.raw) {
    request.body.raw = ITEM_BODY;
  }
  const events = {
    'POST /login': STORE_TOKENS,
    'POST /auth': STORE_ACCESS_TOKEN,
    // /refresh rotates the refresh token: keep the new one, the old one is spent.
    'POST /refresh': STORE_TOKENS,
    'POST /store/:name': STORE_STORE_ID,
  }[`${request.method} ${route}`];
  if (events) {
    item.event = events;
  }
  for (const example of item.response || []) {
    fixUrl(example.originalRequest.url);
    delete example.id;
  }
}

function walk(node, trail) {
  if (node.id !== undefined) {
    node.id = uuidFor(trail);
  }
  if (node.item) {
    for (const child of node.item) {
      walk(child, `${trail}/${child.name}`);
    }
  } else if (node.request) {
    fixRequest(node);
  }
}

Converter.convert({ type: 'json', data: spec }, options, (error, conversion) => {
  if (error || !conversion.result) {
    console.error(error || conversion.reason);
    process.exit(1);
  }
  const collection = conversion.output[0].data;
  collection.info._postman_id = uuidFor(spec.info.title);
  collection.info.description = {
    content:
      `${spec.info.title} ${spec.info.version}, generated from its OpenAPI spec by ` +
      '`make postman`. Pick the "stores-api local" environment, run "Create a user account" and ' +
      '"Log in": the tokens are stored in the environment and sent by every protected request; ' +
      '"Trade a refresh token" replaces both tokens (the refresh token rotates).',
    type: 'text/plain',
  };
  collection.variable = [];
  for (const folder of collection.item) {
    walk(folder, folder.name);
  }
  const environment = {
    id: uuidFor(`${spec.info.title} environment`),
    name: 'stores-api local',
    values: Object.entries(ENVIRONMENT).map(([key, value]) => ({
      key,
      value,
      type: key.endsWith('_token') || key === 'password' ? 'secret' : 'default',
      enabled: true,
    })),
    _postman_variable_scope: 'environment',
  };
  mkdirSync(outDir, { recursive: true });
  const write = (name, data) => writeFileSync(join(outDir, name), JSON.stringify(data, null, 2) + '\n');
  write('stores-api.postman_collection.json', collection);
  write('stores-api.postman_environment.json', environment);
});
