// CloudFront Function (runtime cloudfront-js-2.0), viewer-request, on the API behaviour only (optional).
// Removes the API prefix before the request reaches the container: "/api/v1/x" arrives as "/v1/x".
// Terraform loads this file with templatefile() and fills in the prefix; the tests and the local edge do the same.
function handler(event) {
  var request = event.request;
  var prefix = '${prefix}';
  if (request.uri === prefix || request.uri.indexOf(prefix + '/') === 0) {
    request.uri = request.uri.substring(prefix.length) || '/';
  }
  return request;
}
