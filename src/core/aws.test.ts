import { describe, expect, it } from '@jest/globals';
import { configuredEndpoint } from './aws.js';

describe('configuredEndpoint', () => {
  it('prefers the service variable, falls back to AWS_ENDPOINT_URL, and honours the ignore switch', () => {
    expect(configuredEndpoint('S3', { AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_S3: 'http://s3' })).toBe(
      'http://s3',
    );
    expect(configuredEndpoint('LIGHTSAIL', { AWS_ENDPOINT_URL: 'http://a' })).toBe('http://a');
    expect(configuredEndpoint('CLOUDFRONT', {})).toBeUndefined();
    expect(
      configuredEndpoint('S3', { AWS_ENDPOINT_URL_S3: 'http://s3', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }),
    ).toBeUndefined();
  });
});
