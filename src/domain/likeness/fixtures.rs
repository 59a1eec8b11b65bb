//! Test fixtures: realistic stories, six Chinese and five English from the demo
//! content (`examples/demo.json`) and the seed page (`/work/shared/seed`) cut in two
//! stories, as (title, content HTML).

pub const STORIES: &[(&str, &str)] = &[
    (
        r#"昌吉市加工番茄进入田间管理关键期"#,
        r#"<p>昌吉新闻网讯(记者 马晓燕)连日来,昌吉市二六工镇、佃坝镇等地的加工番茄陆续进入坐果期,田间一片繁忙。种植户们抓住晴好天气,开展滴灌追肥、打杈除草等工作,确保番茄稳产增收。</p><p>为做好田间管理,市农业技术推广中心组织技术人员分片包干,走进地头讲解<strong>水肥一体化</strong>和病虫害绿色防控技术,并通过微信群及时发布天气预警和管理要点。</p><p>“今年苗情比去年整齐,只要后期管理跟得上,亩产有望达到8吨以上。”一位种植大户说。据了解,今年昌吉市加工番茄种植面积与去年基本持平,订单全部落实到户。</p>"#,
    ),
    (
        r#"江布拉克景区迎来暑期旅游高峰"#,
        r#"<p>昌吉新闻网讯(记者 赵文博)七月的江布拉克,麦浪翻滚,松林苍翠。随着暑期到来,奇台县江布拉克景区迎来旅游高峰,来自疆内外的游客纷纷前来避暑观光。</p><p>为应对客流增长,景区今年新增了观光车环线,扩建了<strong>自驾车营地</strong>,并在主要观景点增设休息区和指示标牌。景区工作人员介绍,周末日均接待游客较去年同期有明显增长。</p><ul><li>观光车环线:每20分钟一班</li><li>自驾车营地:可提供水电接入</li><li>咨询服务:景区游客中心全天开放</li></ul><p>当地还依托景区发展农家乐和民宿,周边村民通过经营餐饮、出售土特产等方式实现增收。</p>"#,
    ),
    (
        r#"昌吉州农村公路提质改造工程全面开工"#,
        r#"<p>新疆日报讯(记者 刘建新)近日,昌吉州农村公路提质改造工程全面开工。今年全州计划实施一批通村、通组道路建设和危桥改造项目,重点向偏远山区和牧区倾斜。</p><h2>优先解决群众出行难题</h2><p>项目建设坚持“先急后缓”原则,优先安排群众反映强烈的断头路、砂石路改造。各县市交通部门实行项目负责人制度,倒排工期,加强质量监管。</p><p>交通部门有关负责人表示,工程完工后将进一步改善沿线村民的出行条件,方便农产品外运,为乡村产业发展提供支撑。</p>"#,
    ),
    (
        r#"昌吉州各地开展“七一”主题党日活动"#,
        r#"<p>新疆日报讯(记者 周海燕)“七一”前后,昌吉州各级党组织以多种形式开展主题党日活动,引导广大党员不忘初心、牢记使命。</p><p>在呼图壁县,各村党支部组织党员重温入党誓词,并结合农牧民夜校开展政策宣讲;在玛纳斯县,党员志愿者走进社区,为孤寡老人和困难群众送去慰问品。</p><blockquote><p>“作为一名党员,就要在群众需要的时候站出来。”</p></blockquote><p>一位参加活动的老党员这样说。据了解,活动期间各地还评选表彰了一批优秀共产党员和先进基层党组织。</p>"#,
    ),
    (
        r#"呼图壁县中小学冬季课后服务全面铺开"#,
        r#"<p>昌吉新闻网讯(记者 杨雪)入冬以来,呼图壁县各中小学全面推行冬季课后服务,学生放学后可留校参加作业辅导和兴趣课程,解决了不少双职工家庭的接送难题。</p><p>各学校结合自身特色,开设了书法、剪纸、机器人编程、冰雪运动等课程。县教育部门要求各校做好校园取暖和安全保障,确保学生在校期间温暖安全。</p><p>家长可通过学校公众号报名选课,具体安排可咨询所在学校。相关政策解读见<a href="http://www.cjxww.cn/index.php?m=content&amp;c=index&amp;a=show&amp;catid=12&amp;id=98702">此前报道</a>。</p>"#,
    ),
    (
        r#"非遗技艺走进社区 传统手工焕发新活力"#,
        r#"<p>新疆日报讯(记者 阿依古丽)近日,一场非遗技艺进社区活动在昌吉市举行。刺绣、木雕、花毡等项目的传承人现场展示技艺,并手把手教居民制作简单作品。</p><p>活动主办方介绍,今年以来已在多个社区开设<em>非遗公益课堂</em>,吸引了不少退休居民和中小学生参与。部分学员的作品还通过合作社对外销售,带来了额外收入。</p><p>传承人表示,希望通过这样的方式让更多年轻人了解和喜爱传统手工艺,让非遗在当代生活中“活”起来。</p>"#,
    ),
    (
        r#"Cotton growers in northern Xinjiang lean on drip irrigation as summer heat builds"#,
        r#"<p><strong>CHANGJI, June 30 (Northwest Wire)</strong> — Cotton growers in northern Xinjiang are running drip-irrigation lines around the clock as temperatures climb, betting that precise watering will carry their crops through the flowering stage.</p><p>Local agronomists say most large plots in the prefecture now use film-covered drip systems, which cut water use compared with flood irrigation and let farmers feed fertiliser directly to the roots.</p><p>Growers interviewed by Northwest Wire said contract prices had been agreed before planting, giving them some certainty ahead of the autumn harvest.</p>"#,
    ),
    (
        r#"Changji logistics park adds rail freight links toward Central Asia"#,
        r#"<p><strong>CHANGJI, July 4 (Northwest Wire)</strong> — A logistics park on the outskirts of Changji has opened new rail sidings, allowing exporters to load containers on site rather than trucking them to terminals in Urumqi.</p><p>Park managers said the first trains carried building materials, household appliances and processed tomato products. They expect the sidings to shorten turnaround times for local manufacturers.</p><ul><li>New sidings: two loading tracks</li><li>Main cargo: building materials, appliances, food products</li><li>Destinations: Kazakhstan and onward to Central Asia</li></ul>"#,
    ),
    (
        r#"Heavenly Lake draws early-summer crowds as school holidays begin"#,
        r#"<p><strong>FUKANG, July 2 (Northwest Wire)</strong> — The alpine lake at Tianchi, in the Bogda mountains east of Urumqi, drew large crowds over the weekend as school holidays began across the region.</p><p>Operators added shuttle buses between the entrance and the lakeshore and introduced timed entry during the busiest hours. Visitors were advised to book online through the <a href="https://northwest-wire.example.org/travel/tianchi">scenic area's booking page</a>.</p><blockquote><p>"We came for the cool air. It's thirty-five degrees in the city," said one visitor from Urumqi.</p></blockquote>"#,
    ),
    (
        r#"Northwest Wire Weekly: first snow, heating season and winter markets"#,
        r#"<p>In this episode of <em>Northwest Wire Weekly</em>, our correspondents look back on a week of early snow in the Tianshan foothills and the start of the heating season across northern Xinjiang.</p><h2>In this episode</h2><ul><li>How towns are preparing roads and heating networks for winter</li><li>Herders moving livestock to winter pastures</li><li>Night markets reopening with indoor stalls</li></ul><p>Listen with the player above or subscribe in your podcast app.</p>"#,
    ),
    (
        r#"Ski resorts in northern Xinjiang report strong early-season bookings"#,
        r#"<p><strong>URUMQI, Nov. 25 (Northwest Wire)</strong> — Ski resorts in northern Xinjiang say advance bookings for the coming season are running ahead of last year, helped by early snowfall and new direct flights.</p><p>Resort operators said hotel rooms near the slopes were filling up for the New Year holiday, and several had hired extra instructors and equipment staff.</p><p>Local tourism officials expect winter sports to account for a growing share of visitor spending in the region over the next few years.</p>"#,
    ),
    (
        r#"做带领群众奔向幸福生活的“头雁”"#,
        r#"<p>昌吉新闻网讯(记者 郑丽媛)六月清晨的木垒县大南沟乌孜别克族乡阿克喀巴克村,处处生机勃勃,绿树成荫的道路四通八达,连接着一座座漂亮的牧民定居房,院落内一畦畦绿意盎然的时令蔬菜长势喜人,村民们有的在庭院里打理菜地和果树,有的围着圈里的牛羊忙碌,还有很多人准备赶往村“两委”和工作队扶持兴建的乳制品加工厂、食品厂、刺绣合作社、打馕合作社、养殖合作社、女子打工队等地方开始一天的辛勤劳作。这片过去被人笑话的穷乡僻壤,如今成了观摩团、游客经常造访的“幸福文明新村”,人均收入达到13644元。</p><p>阿克喀巴克村牧民们的幸福生活,是在党组织的引领下一步步成为现实的。按照自治区党委安排部署,工作队进驻阿克喀巴克村开展“访民情、惠民生、聚民心”工作,成为村“两委”兴村富民的“良师益友”。在工作队引导下,村“两委”以我州深入开展的“星级化”村组织创建活动为抓手,全方位提升领导核心、管理民主、为民服务、先锋模范等能力,带领全村上下奋力实现民族团结、和谐稳定、增收致富、村容整洁、村风文明的新生活。</p><p>村党支部严格按照第一书记“七联七统”工作要求,带领党员、党小组组长、工作队员等各支力量做好值班、巡逻、入户等工作,并利用周一升国旗宣讲、农牧民夜校、各类文艺活动向村民宣传党的政策方针,坚定坚决维护民族团结和社会稳定。</p><p>为兴村富民,阿克喀巴克村各党小组依据各自优势,谋划打造了一批小产业,鼓励扶持党员、先进分子和致富能手发展各个产业合作社、企业,通过党员、能手示范引领,做给村民看,带领村民干。村党支部将其中3家企业纳入党小组管理,由企业所在片组小组长担任企业党建指导员,指导开展党建工作,服务企业发展。</p><p>在推动合作社、企业发展壮大的同时,各党小组还积极动员合作社、企业中的先进分子加入党组织,使他们提升模范带头、帮扶解困等思想认识,积极为困难群众解决就业,促进增收脱贫,以合作分红的方式增加村集体收入,带动各个产业快速发展,促进村民致富。</p>"#,
    ),
    (
        r#"以党组织为旗帜 全州争当服务群众的“暖心人”"#,
        r#"<p>以阿克喀巴克村为蓝本,近年来,全州多个村、社区正通过深入开展“星级化”村(社区)组织创建、实施“党支部+合作社”创业带富、把党员培养成致富带头人、把致富带头人中的先进分子培养成党员等有效途径,推动基层党组织成为群众的“主心骨”“领航者”,全面落实“抓党建、促稳定、促脱贫”,引领带动广大群众实现稳定和谐富裕的美好生活。</p><p>在城市,由凝聚辖区内各支党组织力量共驻共建的社区“大党委”牵头抓总,党组织服务群众的能力日益提升。在昌吉市延安北路街道金陵社区,社区“大党委”组建以来,得到了居民群众的持续点赞。社区“大党委”辖区内的州妇联党组与社区共同打造了“民族互助巧手坊”就业基地,协调企业收购手工艺品,帮助39名各族妇女实现了再就业。依托辖区单位昌吉军分区、武警支队的优势,成立了“周妈妈”双拥工作室和志愿者队伍。依托昌吉州科技局,建成了“社区科普应急体验室”暨社区“应急处突和抗震减灾”科普教育阵地。联合辖区内各单位党组织,组建了医疗卫生、扶贫帮困、政策宣传、法律咨询、环境卫生5支党员志愿者队伍,促进党员更好地服务群众。</p><p>将群众的冷暖放在第一位,为群众办好实事好事,在我州,每一个党组织都在争当服务群众的“暖心人”。在奇台县大泉塔塔尔族乡大泉湖村,在驻村工作队引导下,村党支部建立了“1+8牧民服务体系”,牧民们可以在服务站内享受医疗服务、看书读报、换取爱心捐赠物等“八大”服务。长期患有高血压的木拉特别克·哈依达尔别克正是通过在牧民服务站及时测量血压,才挽回了自己的生命,因而对村党支部更加感激和信服。</p><p>真心深入群众、促走访知民情,倾心发动群众、促防控保稳定,用心宣教群众、促感恩聚民心,全心服务群众、促帮扶惠民生,诚心团结群众、促交流融深情,尽心联系群众、促落实转作风。2017年以来,全州“访惠聚”驻村工作队、基层党组织按照我州创新推行的这种“六心六促”群众工作法,最大限度地凝聚起了民心民力。</p><p>非公企业、社会组织、个体工商户等领域组建的新兴党组织也逐步在发挥各项引领带动作用。在新疆蓝山屯河化工股份有限公司,共设有党员示范岗78个,评出3个示范党支部,先后有180余件关于企业技术创新、降本增效、安全环保等方面的建议及时被公司采纳。各党总支、党小组、党员成为企业坚定政治方向、落实安全生产、加强人才建设、科技创新、提质增效的“领跑者”。</p><p>以党组织为旗帜、为“领头雁”,全州上下正奋力驶向更加令人向往的美好未来。</p>"#,
    ),
];
