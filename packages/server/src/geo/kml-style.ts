import { createReadStream, createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** KML writes colours as aabbggrr. */
const kmlColor = (rgb: string, alpha: string) => `${alpha}${rgb.slice(5, 7)}${rgb.slice(3, 5)}${rgb.slice(1, 3)}`.toLowerCase();

const styleUrl = '<styleUrl>#mapshelf</styleUrl>';
/** An inline style GDAL's KML driver gives polygons (red outline, no fill). */
const inlineStyle = /<Style>.*?<\/Style>/;
/** What follows styleUrl in a Placemark, in KML 2.2's element order. */
const afterStyleUrl = /^\s*<(ExtendedData|Point|LineString|LinearRing|Polygon|MultiGeometry)\b/;

/**
 * Gives every placemark of a KML file written by GDAL's KML driver one shared style in a colour
 * (`#RRGGBB`): lines and outlines in it, fills half transparent, point icons tinted. GDAL's
 * LIBKML driver writes styles itself but takes minutes for 20,000 features, so the fast KML
 * driver writes the file and this pass, streaming line by line (the driver puts each of these
 * elements on a line of its own), points each placemark at the shared style in place of the
 * driver's own.
 */
export async function styleKml(path: string, color: string, signal: AbortSignal): Promise<void> {
  const style =
    `<Style id="mapshelf"><IconStyle><color>${kmlColor(color, 'ff')}</color></IconStyle>` +
    `<LineStyle><color>${kmlColor(color, 'ff')}</color><width>2</width></LineStyle>` +
    `<PolyStyle><color>${kmlColor(color, '80')}</color></PolyStyle></Style>`;
  let declared = false;
  let placemarkNeedsStyle = false;
  const rewriteLine = (line: string): string => {
    if (!declared && /<Document\b[^>]*>/.test(line)) {
      declared = true;
      return line.replace(/<Document\b[^>]*>/, (tag) => `${tag}${style}`);
    }
    if (line.includes('<Placemark>')) placemarkNeedsStyle = true;
    if (!placemarkNeedsStyle) return line;
    if (inlineStyle.test(line)) {
      placemarkNeedsStyle = false;
      return line.replace(inlineStyle, styleUrl);
    }
    const next = afterStyleUrl.exec(line);
    if (next) {
      placemarkNeedsStyle = false;
      return line.replace(`<${next[1]}`, `${styleUrl}<${next[1]}`);
    }
    return line;
  };
  let pending = '';
  const temporary = `${path}.styling`;
  await pipeline(
    createReadStream(path, { encoding: 'utf8' }),
    new Transform({
      transform(chunk: string, _encoding, done) {
        // The last line may be unfinished: it waits for the next chunk.
        const lines = (pending + chunk).split('\n');
        pending = lines.pop()!;
        done(null, lines.map((line) => `${rewriteLine(line)}\n`).join(''));
      },
      flush(done) {
        done(null, rewriteLine(pending));
      },
    }),
    createWriteStream(temporary),
    { signal },
  );
  await rename(temporary, path);
}
