//! The public documents answer as `/api/openapi.json` says they do: each described
//! address, its parameters given their examples, answers a status the description
//! lists, in a media type it lists for that status, with the fixed headers it promises;
//! a 200 answers its own ETag with 304; a JSON body has what its schema requires.

use crate::helpers::{example_article, TestApp};
use crate::stories;
use serde_json::Value;

stories!(public_documents_answer_as_described);

async fn public_documents_answer_as_described(app: TestApp) {
    let token = app.with_example_catalog().await;
    assert_eq!(app.push(&token, &example_article()).await.status(), 201);
    let description: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let mut checked = 0;
    for (template, item) in description["paths"].as_object().unwrap() {
        let operation = &item["get"];
        if template.starts_with("/api/") || !operation.is_object() {
            continue;
        }
        let Some(path) = with_examples(template, operation) else { continue };
        let response = app.get(&path).await;
        let status = response.status();
        let documented = &operation["responses"][status.as_str()];
        assert!(documented.is_object(), "{path}: {status} is not described");
        let headers = response.headers().clone();
        if let Some(content) = documented["content"].as_object() {
            let media_type = headers["content-type"].to_str().unwrap();
            assert!(content.contains_key(media_type), "{path}: {media_type} is not described for {status}");
            if media_type.contains("json") {
                let body: Value = response.json().await.unwrap();
                conforms(&description, &content[media_type]["schema"], &body, &path);
            }
        }
        for (name, header) in documented["headers"].as_object().into_iter().flatten() {
            let (Some(value), Some(allowed)) = (headers.get(name.as_str()), header["schema"]["enum"].as_array()) else {
                continue;
            };
            assert!(allowed.iter().any(|a| a == value.to_str().unwrap()), "{path}: {name}: {value:?}");
        }
        if status == 200 {
            if let Some(etag) = headers.get("etag") {
                let again = app.client.get(app.url(&path)).header("if-none-match", etag).send().await.unwrap();
                assert_eq!(again.status(), 304, "{path}");
                assert!(operation["responses"]["304"].is_object(), "{path}: 304 is not described");
            }
        }
        checked += 1;
    }
    // The site's and the columns' feeds and pages, sitemaps, robots.txt, health, metrics…
    assert!(checked >= 20, "only {checked} documents checked");
}

/// `template` with each path parameter replaced by its example; `None` when one has none.
fn with_examples(template: &str, operation: &Value) -> Option<String> {
    let mut path = template.to_owned();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        if parameter["in"] == "path" {
            let example = match &parameter["example"] {
                Value::String(text) => text.clone(),
                Value::Number(number) => number.to_string(),
                _ => return None,
            };
            path = path.replace(&format!("{{{}}}", parameter["name"].as_str().unwrap()), &example);
        }
    }
    Some(path)
}

/// What `schema` requires of `value`: types, required properties, array items, through
/// `$ref`s to the description's components.
fn conforms(description: &Value, schema: &Value, value: &Value, at: &str) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return conforms(description, &description["components"]["schemas"][name], value, at);
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => return,
    };
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    assert!(types.contains(&kind) || (kind == "integer" && types.contains(&"number")), "{at}: {kind} is not {types:?}");
    match value {
        Value::Object(members) => {
            for required in schema["required"].as_array().into_iter().flatten() {
                assert!(members.contains_key(required.as_str().unwrap()), "{at}: no {required}");
            }
            for (key, member) in members {
                let property = &schema["properties"][key];
                if !property.is_null() {
                    conforms(description, property, member, &format!("{at}.{key}"));
                }
            }
        }
        Value::Array(items) => {
            for (n, item) in items.iter().enumerate() {
                conforms(description, &schema["items"], item, &format!("{at}[{n}]"));
            }
        }
        _ => {}
    }
}
