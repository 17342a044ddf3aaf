import { gunzipSync } from "node:zlib";
import tarStream from "tar-stream";
import { ChartFormatError, chartFacts, type ChartFacts } from "./chart-import.js";

export { ChartFormatError };

/**
 * A released chart tarball (cilium-X.Y.Z.tgz) → the facts tke-cilium needs. The tarball is untrusted: nothing
 * of it is written to disk, its unpacked size is capped before it is unpacked, and it is refused whole when a
 * member is a link, a device, an absolute path or climbs out with "..", or is larger than any chart file.
 */
export const MAX_TARBALL_BYTES = 16 * 1024 * 1024;
export const MAX_UNPACKED_BYTES = 64 * 1024 * 1024;
export const MAX_MEMBER_BYTES = 8 * 1024 * 1024;

export async function readChartTarball(bytes: Uint8Array): Promise<ChartFacts> {
  if (bytes.length > MAX_TARBALL_BYTES) throw new ChartFormatError(`${bytes.length} bytes; a Cilium chart is well under ${MAX_TARBALL_BYTES / 1024 / 1024} MiB`);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new ChartFormatError("not a gzip file; a chart is a .tgz as `helm pull` saves it");
  let tar: Buffer;
  try {
    tar = gunzipSync(bytes, { maxOutputLength: MAX_UNPACKED_BYTES });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new ChartFormatError(`unpacks to more than ${MAX_UNPACKED_BYTES / 1024 / 1024} MiB; not a Cilium chart`);
    }
    throw new ChartFormatError(`cannot be unpacked: ${(error as Error).message}`);
  }
  return chartFacts(await chartFiles(tar));
}

/** The text files of the chart folder (the archive's top folder), by their path inside it. */
async function chartFiles(tar: Buffer): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let top: string | undefined;
  let members = 0;
  let refused: ChartFormatError | undefined;
  const extract = tarStream.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      // a refused member is read past, never kept; the first refusal refuses the archive when it ends
      const refuse = (why: string) => {
        refused ??= new ChartFormatError(`member ${JSON.stringify(header.name)} ${why}; refusing the whole archive`);
        stream.on("end", next);
        stream.resume();
      };
      if (refused) return refuse("follows a refused member");
      // a truncated member fails the whole extraction, which reports it once
      stream.on("error", () => {});
      const name = header.name;
      members++;
      if (name.startsWith("/") || name.split("/").includes("..") || name.includes("\\") || name.includes("\0")) return refuse("points outside the chart");
      if (header.type !== "file" && header.type !== "directory") return refuse(`is a ${header.type ?? "special entry"}, not a file`);
      if ((header.size ?? 0) > MAX_MEMBER_BYTES) return refuse(`has ${header.size} bytes, more than any chart file`);
      const [first, ...rest] = name.split("/");
      top ??= first;
      // the chart itself; subcharts under charts/ are not Cilium's values
      const wanted = header.type === "file" && first === top && rest.length > 0 && rest[0] !== "charts";
      const chunks: Buffer[] = [];
      stream.on("data", (chunk) => {
        if (wanted) chunks.push(chunk as Buffer);
      });
      stream.on("end", () => {
        if (wanted) files.set(rest.join("/"), Buffer.concat(chunks).toString("utf8"));
        next();
      });
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  extract.end(tar);
  try {
    await done;
  } catch (error) {
    if (refused) throw refused;
    if (error instanceof ChartFormatError) throw error;
    throw new ChartFormatError(`not a tar archive inside the gzip: ${(error as Error).message}`);
  }
  if (refused) throw refused;
  if (members === 0) throw new ChartFormatError("an empty archive; not a Helm chart");
  return files;
}
