import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IsoContent } from './iso-content.js';
import { parseMetadataXml, type MetadataFormat } from './parse.js';

/**
 * The ISO 19139 (2007) root schema, `gmd.xsd`, in the repository's `schemas/iso19139/` folder
 * (with GML 3.2.1 and xlink beside it, so its imports resolve offline). Resolved from this
 * module, which sits at the same depth in `src/` (tests, tsx) and `dist/` (`npm start`).
 */
export const iso19139SchemaPath = fileURLToPath(new URL('../../../../../schemas/iso19139/iso/19139/20070417/gmd/gmd.xsd', import.meta.url));

/** A problem xmllint found in a document: its line (null when it is about the whole check) and message. */
export interface SchemaWarning {
  line: number | null;
  message: string;
}

/** At most this many warnings are reported for one document. */
export const maxSchemaWarnings = 20;

/** xmllint is killed after this long. @default 10 s */
const validationTimeoutMs = 10_000;
/** libxml2's allocation limit; the schemas take about 10 MB, a 5 MB document a few times that. */
const validationMaxMemory = 512 * 1024 * 1024;
const maxMessageLength = 500;

// `-:12: element title: Schemas validity error : Element '…': This element is not expected.`
const diagnostic = /^-:(\d+): (.*)$/;

/**
 * The document with its XML declaration saying UTF-8: the body reached us decoded, and goes to
 * xmllint re-encoded as UTF-8, whatever encoding the sender declared. Line numbers are kept.
 */
function asUtf8(xml: string): string {
  return xml
    .replace(/^\uFEFF/, '')
    .replace(/^(<\?xml\b[^?]*?\bencoding\s*=\s*)(["'])[^"']*\2/, '$1$2UTF-8$2');
}

function clip(message: string): string {
  return message.length > maxMessageLength ? `${message.slice(0, maxMessageLength - 1)}…` : message;
}

/** xmllint's diagnostics as warnings; the source excerpts and caret lines after parser errors are left out. */
export function parseXmllintOutput(stderr: string): SchemaWarning[] {
  const warnings: SchemaWarning[] = [];
  for (const line of stderr.split('\n')) {
    const match = diagnostic.exec(line);
    if (!match) continue;
    // `element title: Schemas validity error : Element '{ns}title': …` → `Element '{ns}title': …`
    let message = match[2]!.replace(/^element [^:]*:\s*/, '').replace(/^\s*Schemas validity error\s*:\s*/, '').trim();
    // gmi:MI_Metadata (ISO 19115-2) and other roots the 2007 gmd schemas don't declare.
    if (message.includes('No matching global declaration available for the validation root')) {
      message = `${message} Only gmd:MD_Metadata documents can be checked against the ISO 19139 (2007) schemas.`;
    }
    warnings.push({ line: Number(match[1]), message: clip(message) });
  }
  return warnings;
}

/**
 * Checks an ISO 19139 document against the 2007 schemas with xmllint (libxml2-utils), as a
 * child process: the document on stdin, `--nonet` and no catalogs (nothing is fetched; the
 * caller has already refused DOCTYPEs, so no DTD or entity is ever read), a memory limit and a
 * timeout. Returns at most {@link maxSchemaWarnings} problems, never throws: schema problems
 * don't refuse a document, and a check that could not run says so in its one warning.
 */
export function validateIso19139(xml: string, schemaPath: string = iso19139SchemaPath): Promise<SchemaWarning[]> {
  if (!existsSync(schemaPath)) {
    return Promise.resolve([{ line: null, message: 'Not checked against the ISO 19139 schemas: the server could not find them.' }]);
  }
  return new Promise((resolve) => {
    const args = ['--nonet', '--nocatalogs', '--noout', '--maxmem', String(validationMaxMemory), '--schema', schemaPath, '-'];
    const child = spawn('xmllint', args, { stdio: ['pipe', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    const chunks: Buffer[] = [];
    let stderrBytes = 0;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, validationTimeoutMs);
    child.stderr.on('data', (chunk: Buffer) => {
      // Enough for the capped warnings; the rest is read and dropped.
      if (stderrBytes < 256 * 1024) chunks.push(chunk);
      stderrBytes += chunk.length;
    });
    // xmllint may stop reading before the end (out of memory, killed): not our error.
    child.stdin.on('error', () => {});
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const reason = error.code === 'ENOENT' ? 'xmllint (libxml2-utils) is not installed' : error.message;
      resolve([{ line: null, message: `Not checked against the ISO 19139 schemas: ${reason}.` }]);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) {
        resolve([{ line: null, message: `Not checked against the ISO 19139 schemas: the check took longer than ${validationTimeoutMs / 1000} s.` }]);
        return;
      }
      const warnings = parseXmllintOutput(Buffer.concat(chunks).toString('utf8'));
      // 0: valid; 3: schema errors; 1 (parse errors) and others come with their own lines, or not.
      if (code !== 0 && warnings.length === 0) {
        warnings.push({ line: null, message: `Not checked against the ISO 19139 schemas: xmllint stopped (exit code ${code}).` });
      }
      resolve(warnings.slice(0, maxSchemaWarnings));
    });
    child.stdin.end(asUtf8(xml), 'utf8');
  });
}

/** An uploaded metadata document, parsed (refused if it isn't safe, well-formed metadata) and, if ISO 19139, checked against the schemas. */
export async function readUploadedMetadata(xml: string): Promise<{ format: MetadataFormat; warnings: SchemaWarning[]; iso?: IsoContent }> {
  const { format, iso } = parseMetadataXml(xml);
  return { format, warnings: format === 'iso' ? await validateIso19139(xml) : [], ...(iso && { iso }) };
}
