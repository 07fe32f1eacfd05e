// The core's bounds on JSON text (core/include/llmmem/limits.hpp), applied in JavaScript at the
// doors before text is read, parsed or enters the module: the JS API, the CLI and the
// <llm-memory-calculator> element (this file is a --pre-js of the module) and the page
// (web/gen/json-bounds.js, a copy) for a paste, a file, a fetched config or a link.

/**
 * One pass, no allocation; the messages are the core's. `limits`: the schema's
 * { request_bytes, nesting_depth, json_values }. Returns null, or what is wrong ("too large:
 * ...", "nested deeper than 64 levels", ...), for the caller to prefix with what the text is.
 */
function jsonTextProblem(text, limits) {
  // UTF-8 has at least one byte per UTF-16 code unit, at most three.
  if (text.length > limits.request_bytes) {
    return `too large: at least ${text.length} bytes, at most ${limits.request_bytes} (4 MiB)`;
  }
  let bytes = 0, depth = 0, separators = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? 2 : 3;  // a surrogate pair: 2 + 2
    if (inString) {
      if (c === 0x5c) {  // backslash: the next code unit is escaped
        i++;
        if (i < text.length) { const d = text.charCodeAt(i); bytes += d < 0x80 ? 1 : d < 0x800 ? 2 : 3; }
      } else if (c === 0x22) {
        inString = false;
      }
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limits.nesting_depth) return `nested deeper than ${limits.nesting_depth} levels`;
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c || c === 0x3a) {
      if (++separators > limits.json_values) return `holds more than ${limits.json_values} values`;
    } else if (c === 0) return `holds a NUL byte at offset ${bytes - 1}`;
  }
  if (bytes > limits.request_bytes) return `too large: ${bytes} bytes, at most ${limits.request_bytes} (4 MiB)`;
  return null;
}

/**
 * A fetch() response's body as text, read up to `limit` bytes and no further (a mirror may
 * send a 1 GB "config.json"): null when it is longer, by its Content-Length or as it streams.
 */
async function readBoundedText(response, limit) {
  if (Number(response.headers.get('content-length')) > limit) return null;
  const reader = response.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}
