pub mod api_versions;
