/** A lon/lat bounding box as the GeoJSON Polygon Koordinates uses for `extent`. */
export function bboxPolygon(bbox: [number, number, number, number] | null): object | null {
  if (!bbox) return null;
  const [minx, miny, maxx, maxy] = bbox;
  return {
    type: 'Polygon',
    coordinates: [[[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]],
  };
}
