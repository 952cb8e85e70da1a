import { createReadStream, createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** KML writes colours as aabbggrr. */
const kmlColor = (rgb: string, alpha: string) => `${alpha}${rgb.slice(5, 7)}${rgb.slice(3, 5)}${rgb.slice(1, 3)}`.toLowerCase();

/**
 * Gives every placemark of a KML file written by GDAL's KML driver one shared style in a colour
 * (`#RRGGBB`): lines and outlines in it, fills half transparent, point icons tinted. GDAL's
 * LIBKML driver writes styles itself but takes minutes for 20,000 features, so the fast KML
 * driver writes the file and this pass adds the style, streaming.
 */
export async function styleKml(path: string, color: string, signal: AbortSignal): Promise<void> {
  const style =
    `<Style id="mapshelf"><IconStyle><color>${kmlColor(color, 'ff')}</color></IconStyle>` +
    `<LineStyle><color>${kmlColor(color, 'ff')}</color><width>2</width></LineStyle>` +
    `<PolyStyle><color>${kmlColor(color, '80')}</color></PolyStyle></Style>`;
  const documentTag = /<Document( [^>]*)?>/;
  const placemark = '<Placemark>';
  // A tag may straddle two chunks: a short unfinished tail waits for the next chunk.
  const keep = 64;
  let pending = '';
  let styled = false;
  const rewrite = (text: string) => {
    let out = text;
    if (!styled) out = out.replace(documentTag, (tag) => ((styled = true), `${tag}${style}`));
    return out.replaceAll(placemark, `${placemark}<styleUrl>#mapshelf</styleUrl>`);
  };
  const temporary = `${path}.styling`;
  await pipeline(
    createReadStream(path, { encoding: 'utf8' }),
    new Transform({
      transform(chunk: string, _encoding, done) {
        const text = pending + chunk;
        // Cut before a '<' near the end, so neither tag we look for is split.
        const lastOpen = text.lastIndexOf('<');
        const cut = lastOpen >= text.length - keep ? lastOpen : text.length;
        pending = text.slice(cut);
        done(null, rewrite(text.slice(0, cut)));
      },
      flush(done) {
        done(null, rewrite(pending));
      },
    }),
    createWriteStream(temporary),
    { signal },
  );
  await rename(temporary, path);
}
