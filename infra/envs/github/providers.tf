# Authenticates with GITHUB_TOKEN (or `gh auth token`); the token needs administration rights on the repository.
provider "github" {
  owner = var.github_owner
}
