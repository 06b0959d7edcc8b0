// CloudFront Function (runtime cloudfront-js-2.0), viewer-request, on the default (S3) behaviour only.
// Client-side routes, i.e. paths whose last segment has no file extension, get the app shell /index.html.
// Everything else (hashed assets, other files) is fetched as asked, so a missing file keeps its real 403/404,
// and /api/* never reaches this function (it is associated with the default behaviour only).
// Terraform loads this file with file(); the Jest tests and the local edge run the same file unchanged.
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.indexOf('/assets/') === 0) return request;
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}
