function handler(event) {
  var request = event.request;
  var prefix = '${prefix}';
  if (request.uri === prefix || request.uri.indexOf(prefix + '/') === 0) {
    request.uri = request.uri.substring(prefix.length) || '/';
  }
  return request;
}
