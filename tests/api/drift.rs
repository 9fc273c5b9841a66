//! Keeps one route table: the routes of `shop::api::ROUTES`, the binaries in functions/, the
//! functions of template.yaml (with their events and policies), the samples in events/, the
//! routes the local server mounts and the OpenAPI paths must all agree.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use shop::need::{GLOBAL_VARIABLES, Need};
use shop_local::Template;
use shop_local::template::EventSpec;

use crate::helpers::TestApp;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `[[bin]]` entries of functions/Cargo.toml: name → (path, test flag).
pub(crate) fn declared_binaries(cargo_toml: &str) -> BTreeMap<String, (String, bool)> {
    let doc: toml::Table = cargo_toml.parse().expect("functions/Cargo.toml parses");
    doc.get("bin")
        .and_then(|b| b.as_array())
        .into_iter()
        .flatten()
        .map(|b| {
            (
                b["name"].as_str().unwrap().to_owned(),
                (
                    b.get("path")
                        .and_then(|p| p.as_str())
                        .unwrap_or_default()
                        .to_owned(),
                    b.get("test").and_then(|t| t.as_bool()).unwrap_or(true),
                ),
            )
        })
        .collect()
}

/// How a function's main adds the client a need calls for (settings need no call).
fn builder_call(need: Need) -> Option<&'static str> {
    match need {
        Need::TableRead => Some(".with_reader("),
        Need::TableWrite => Some(".with_table("),
        Need::Queue => Some(".with_queue("),
        Need::ImageQueue => Some(".with_image_queue("),
        Need::DeadLetters => Some(".with_dead_letters("),
        Need::Mailer => Some(".with_mailer("),
        Need::Blobs => Some(".with_blobs("),
        Need::Stripe => Some(".with_stripe("),
        Need::AccessTokens | Need::Links | Need::Google | Need::StripeWebhook => None,
    }
}

/// What a function's main builds: every client its needs call for, and no other.
fn builder_problems(path: &str, main: &str, needs: &[Need]) -> Vec<String> {
    let mut out = Vec::new();
    for need in Need::ALL {
        let Some(call) = builder_call(*need) else {
            continue;
        };
        // A read-write table serves reads too.
        let wanted = needs.contains(need)
            && !(*need == Need::TableRead && needs.contains(&Need::TableWrite));
        if wanted && !main.contains(call) {
            out.push(format!(
                "{path} does not build the {need:?} client its handler needs"
            ));
        }
        if !wanted && main.contains(call) {
            out.push(format!(
                "{path} builds the {need:?} client, which its needs do not call for"
            ));
        }
    }
    if !main.contains("Env::load(") || (!main.contains("NEEDS") && !main.contains("ROUTE.needs")) {
        out.push(format!(
            "{path} does not load its configuration for its needs"
        ));
    }
    out
}

/// Every disagreement between the route table, the binaries, the template and events/.
fn problems(template: &Template, repo: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let globals: BTreeSet<&str> = template
        .global_variables
        .iter()
        .map(String::as_str)
        .collect();
    if globals != GLOBAL_VARIABLES.iter().copied().collect() {
        out.push(format!(
            "Globals give every function {globals:?}; only {GLOBAL_VARIABLES:?} belong there"
        ));
    }
    let cargo =
        std::fs::read_to_string(repo.join("functions/Cargo.toml")).expect("functions/Cargo.toml");
    let bins = declared_binaries(&cargo);

    let expected_functions: BTreeSet<String> = shop::api::ROUTES
        .iter()
        .map(|r| r.name.to_owned())
        .chain(shop::lambda::BACKGROUND.iter().map(|(s, _)| s.to_string()))
        .collect();
    let template_functions: BTreeSet<String> = template
        .functions
        .iter()
        .map(|f| f.binary.clone())
        .collect();
    let binaries: BTreeSet<String> = bins.keys().cloned().collect();

    for name in template_functions.difference(&binaries) {
        out.push(format!(
            "template.yaml has a function for `{name}` but functions/Cargo.toml has no such [[bin]]"
        ));
    }
    for name in binaries.difference(&template_functions) {
        out.push(format!(
            "functions/ has a binary `{name}` that template.yaml does not deploy"
        ));
    }
    for name in template_functions.difference(&expected_functions) {
        out.push(format!("template.yaml deploys `{name}`, which is no route in shop::api::ROUTES nor a background function"));
    }
    for name in expected_functions.difference(&template_functions) {
        out.push(format!("`{name}` has no function in template.yaml"));
    }

    for (name, (path, test)) in &bins {
        if *test {
            out.push(format!(
                "[[bin]] {name} must set `test = false` so tests do not link every function"
            ));
        }
        let main = std::fs::read_to_string(repo.join("functions").join(path)).unwrap_or_default();
        if main.is_empty() {
            out.push(format!("[[bin]] {name}: {path} is missing"));
        }
        let needs = shop::lambda::needs_of(name).unwrap_or(&[]);
        out.extend(builder_problems(path, &main, needs));
        if shop::api::route(name).is_some() && !main.contains(&format!("api::{name}::ROUTE")) {
            out.push(format!("{path} does not serve shop::api::{name}::ROUTE"));
        }
    }

    for function in &template.functions {
        let name = &function.binary;
        // HTTP events against the route table.
        let http: BTreeSet<(String, String)> = function
            .events
            .iter()
            .filter_map(|e| match e {
                EventSpec::Http { method, path } => Some((method.clone(), path.clone())),
                _ => None,
            })
            .collect();
        if let Some(route) = shop::api::route(name) {
            let served: BTreeSet<(String, String)> = route
                .endpoints()
                .into_iter()
                .map(|(m, p)| (m.to_string(), p))
                .collect();
            if http != served {
                out.push(format!(
                    "{}: template events {http:?} but the route serves {served:?}",
                    function.logical_id
                ));
            }
            if function.logical_id != route.function_id() {
                out.push(format!(
                    "the function for `{name}` must be called {}, not {}",
                    route.function_id(),
                    function.logical_id
                ));
            }
        }
        // Least privilege: exactly the policies and the variables of the function's needs.
        let needs = shop::lambda::needs_of(name).unwrap_or(&[]);
        let wanted: BTreeSet<&str> = needs.iter().filter_map(|n| n.policy()).collect();
        let granted: BTreeSet<&str> = function.policies.iter().map(String::as_str).collect();
        if wanted != granted {
            out.push(format!(
                "{} is granted {granted:?} but needs {wanted:?}",
                function.logical_id
            ));
        }
        let wanted: BTreeSet<&str> = needs.iter().flat_map(|n| n.variables()).copied().collect();
        let given: BTreeSet<&str> = function.variables.iter().map(String::as_str).collect();
        if wanted != given {
            out.push(format!(
                "{} is given the variables {given:?} but its needs call for {wanted:?}",
                function.logical_id
            ));
        }
        // A sample event that the function's runtime accepts.
        let sample = repo.join("events").join(format!("{name}.json"));
        let Ok(text) = std::fs::read_to_string(&sample) else {
            out.push(format!("events/{name}.json is missing"));
            continue;
        };
        let parsed = match function.events.first() {
            Some(EventSpec::Http { method, path }) => {
                serde_json::from_str::<ApiGatewayV2httpRequest>(&text)
                    .map_err(|e| e.to_string())
                    .and_then(|ev| {
                        let key = format!("{method} {path}");
                        (ev.route_key.as_deref() == Some(key.as_str()))
                            .then_some(())
                            .ok_or(format!("its routeKey is {:?}, not {key:?}", ev.route_key))
                    })
            }
            Some(EventSpec::Sqs { .. }) => serde_json::from_str::<SqsEvent>(&text)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Some(EventSpec::Schedule { .. }) => serde_json::from_str::<EventBridgeEvent>(&text)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            None => Err("the function has no event".to_owned()),
        };
        if let Err(e) = parsed {
            out.push(format!(
                "events/{name}.json does not fit {}: {e}",
                function.logical_id
            ));
        }
    }
    out
}

#[test]
fn routes_binaries_template_and_events_agree() {
    let template = Template::load(&Template::repo_path()).unwrap();
    let problems = problems(&template, &repo());
    assert!(problems.is_empty(), "drift:\n{}", problems.join("\n"));
}

#[test]
fn a_template_route_without_a_binary_is_caught() {
    let text = std::fs::read_to_string(Template::repo_path()).unwrap();
    let extra = r#"
  WishlistShareFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: target/lambda/wishlist_share/
      Environment:
        Variables:
          TABLE_NAME: !Ref Table
      Policies:
        - DynamoDBReadPolicy: { TableName: !Ref Table }
      Events:
        Api:
          Type: HttpApi
          Properties:
            ApiId: !Ref HttpApi
            Method: GET
            Path: /api/v1/wishlist/share
"#;
    let text = text.replace("\nOutputs:", &format!("{extra}\nOutputs:"));
    let template = Template::parse(&text).unwrap();
    let problems = problems(&template, &repo());
    assert!(
        problems
            .iter()
            .any(|p| p.contains("wishlist_share") && p.contains("no such [[bin]]")),
        "{problems:?}"
    );
}

#[test]
fn a_function_granted_more_than_it_needs_is_caught() {
    let text = std::fs::read_to_string(Template::repo_path()).unwrap();
    let text = text.replacen(
        "      CodeUri: target/lambda/health/\n      Events:",
        "      CodeUri: target/lambda/health/\n      Policies:\n        - DynamoDBCrudPolicy: { TableName: !Ref Table }\n      Events:",
        1,
    );
    let template = Template::parse(&text).unwrap();
    let problems = problems(&template, &repo());
    assert!(
        problems
            .iter()
            .any(|p| p.contains("HealthFunction is granted")),
        "{problems:?}"
    );
}

#[test]
fn a_function_given_a_secret_it_does_not_need_is_caught() {
    let text = std::fs::read_to_string(Template::repo_path()).unwrap();
    let text = text.replacen(
        "      CodeUri: target/lambda/health/\n",
        "      CodeUri: target/lambda/health/\n      Environment:\n        Variables:\n          JWT_SIGNING_KEYS: !Ref JwtSigningKeys\n",
        1,
    );
    let template = Template::parse(&text).unwrap();
    let found = problems(&template, &repo());
    assert!(
        found
            .iter()
            .any(|p| p.contains("HealthFunction is given the variables")),
        "{found:?}"
    );
    // And a secret put back into Globals, which every function would get.
    let text = std::fs::read_to_string(Template::repo_path())
        .unwrap()
        .replacen(
            "        RUST_LOG: info\n",
            "        RUST_LOG: info\n        JWT_SIGNING_KEYS: !Ref JwtSigningKeys\n",
            1,
        );
    let problems = problems(&Template::parse(&text).unwrap(), &repo());
    assert!(
        problems.iter().any(|p| p.contains("Globals give")),
        "{problems:?}"
    );
}

/// The health function is given no secret at all: nothing but the Globals, which hold none.
#[test]
fn the_health_function_holds_no_secret() {
    let template = Template::load(&Template::repo_path()).unwrap();
    let health = template
        .functions
        .iter()
        .find(|f| f.binary == "health")
        .expect("a health function");
    assert!(health.variables.is_empty(), "{:?}", health.variables);
    assert!(health.policies.is_empty(), "{:?}", health.policies);
    for var in &template.global_variables {
        assert!(
            !["JWT", "SECRET", "KEY", "STRIPE", "PASSWORD"]
                .iter()
                .any(|s| var.contains(s)),
            "Globals give every function {var}"
        );
    }
}

/// The local server mounts every route template.yaml deploys, at the same path and method.
#[tokio::test]
async fn the_local_server_mounts_every_template_route() {
    let template = Template::load(&Template::repo_path()).unwrap();
    let app = TestApp::spawn().await;
    for function in &template.functions {
        for event in &function.events {
            let EventSpec::Http { method, path } = event else {
                continue;
            };
            // Path parameters get a placeholder; a handler's own 404 is fine, the router's is not.
            let concrete: String = path
                .split('/')
                .map(|seg| {
                    if seg.starts_with('{') {
                        "placeholder"
                    } else {
                        seg
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let response = app
                .http
                .request(method.parse().unwrap(), app.url(&concrete))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            assert!(
                status != 405 && body["code"] != "no_such_route",
                "{method} {path} is not mounted by the local server ({status} {body})"
            );
        }
    }
}

/// A function serves its handler without the OpenAPI description (`Route::serve`); it must
/// still answer at exactly the methods and path the description gives: each documented
/// (method, path) reaches the handler (not 405), and another method on that path is 405.
#[tokio::test]
async fn each_function_serves_its_route_at_its_documented_methods_and_path() {
    use tower::ServiceExt;
    let app = TestApp::spawn().await;
    let mut problems = Vec::new();
    for route in shop::api::ROUTES {
        let router = shop::lambda::router(route.serve, app.shop.state.only(route.needs));
        let endpoints = route.endpoints();
        for (method, path) in &endpoints {
            // Every `{param}` as a plausible value.
            let uri: String = path
                .split('/')
                .map(|s| if s.starts_with('{') { "01TESTID" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let call = |m: http::Method| {
                let request = http::Request::builder()
                    .method(m)
                    .uri(&uri)
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from("{}"))
                    .unwrap();
                router.clone().oneshot(request)
            };
            let served = call(method.clone()).await.unwrap().status();
            if served == http::StatusCode::METHOD_NOT_ALLOWED {
                problems.push(format!("{} does not serve {method} {path}", route.name));
            }
            let other = [http::Method::PATCH, http::Method::PUT, http::Method::DELETE]
                .into_iter()
                .find(|m| !endpoints.iter().any(|(em, ep)| em == m && ep == path))
                .unwrap();
            let refused = call(other.clone()).await.unwrap().status();
            if refused != http::StatusCode::METHOD_NOT_ALLOWED {
                problems.push(format!(
                    "{} answers {other} {path} with {refused}, not 405",
                    route.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
