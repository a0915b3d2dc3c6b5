// Independent verifier for SkillCert credentials, built only on Digital Bazaar's libraries.
//
// Reads JSON on stdin: {"credential": {...}, "documents": {"<url>": {...}}}
//   credential  a verifiable credential with an eddsa-rdfc-2022 DataIntegrityProof
//   documents   extra documents the loader may serve (e.g. the status list credential)
// Writes JSON on stdout: {"verified": bool, "revoked": bool|null, "error": string|null}
// Exit status: 0 verified, 1 not verified, 2 bad input.
//
// The document loader is offline: the vendored JSON-LD contexts (read from
// src/skillcert/certificates/contexts, or the folder given as the first argument), did:key
// documents derived from the key itself, and the given documents. Anything else is refused.
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as DidKey from '@digitalbazaar/did-method-key';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const here = path.dirname(fileURLToPath(import.meta.url));
const contextsDir = process.argv[2] ||
  path.resolve(here, '../../../src/skillcert/certificates/contexts');

// The same URL -> file table as skillcert/certificates/jsonld.py.
const CONTEXT_FILES = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json':
    'ob-v3p0-context-3.0.3.json',
  'https://www.w3.org/ns/did/v1': 'did-v1.jsonld',
  'https://w3id.org/security/multikey/v1': 'multikey-v1.jsonld',
};

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function reply(result, code) {
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exitCode = code;
}

function describe(error) {
  if(!error) {
    return null;
  }
  const errors = Array.isArray(error) ? error : [error];
  return errors.map(e => {
    const inner = e.errors || e.cause;
    const cause = inner ? ` (${describe(inner)})` : '';
    return `${e.name || 'Error'}: ${e.message}${cause}`;
  }).join('; ');
}

async function main() {
  let input;
  try {
    input = JSON.parse(await readStdin());
  } catch(e) {
    reply({verified: false, revoked: null, error: `bad input: ${e.message}`}, 2);
    return;
  }
  const {credential, documents = {}} = input;

  const contexts = new Map();
  for(const [url, file] of Object.entries(CONTEXT_FILES)) {
    contexts.set(url, JSON.parse(
      await readFile(path.join(contextsDir, file), 'utf8')));
  }

  const didKeyDriver = DidKey.driver();
  didKeyDriver.use({
    multibaseMultikeyHeader: 'z6Mk',
    fromMultibase: Ed25519Multikey.from
  });

  const documentLoader = async url => {
    let document;
    if(contexts.has(url)) {
      document = structuredClone(contexts.get(url));
    } else if(url.startsWith('did:key:')) {
      document = await didKeyDriver.get({url});
    } else if(Object.hasOwn(documents, url)) {
      document = structuredClone(documents[url]);
    } else {
      throw new Error(`offline loader refuses "${url}"`);
    }
    return {contextUrl: null, documentUrl: url, document};
  };

  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  const result = await vc.verifyCredential({
    credential,
    suite,
    documentLoader,
    checkStatus: credential && credential.credentialStatus ? checkStatus : undefined
  });

  let revoked = null;
  if(result.statusResult && result.statusResult.verified) {
    revoked = result.statusResult.results.some(r => r.status === true);
  }
  reply({
    verified: result.verified === true,
    revoked,
    error: result.verified ? null :
      describe(result.error || (result.statusResult && result.statusResult.error))
  }, result.verified ? 0 : 1);
}

main().catch(e => {
  reply({verified: false, revoked: null, error: describe(e)}, 2);
});
